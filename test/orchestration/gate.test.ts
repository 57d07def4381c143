import { describe, expect, it } from "vitest";
import { effectiveConfidence, gateVerdict, unverifiedModelOutput } from "../../src/orchestration/gate.js";

describe("the autonomy gate matrix", () => {
  const cases = [
    // phase, confidence, humanOnly → verdict (threshold 0.9)
    ["advisory", 1.0, false, "review"],
    ["advisory", 0.1, false, "review"],
    ["partial", 0.9, false, "execute"],
    ["partial", 0.95, false, "execute"],
    ["partial", 0.89, false, "review"],
    ["partial", 1.0, true, "review"],
    ["full", 0.1, false, "execute"],
    ["full", 1.0, true, "review"],
    ["advisory", 1.0, true, "review"],
  ] as const;
  for (const [phase, confidence, humanOnly, expected] of cases) {
    it(`${phase}, confidence ${confidence}, human-only ${humanOnly} → ${expected}`, () => {
      expect(gateVerdict({ phase, confidence, threshold: 0.9, humanOnly }).verdict).toBe(expected);
    });
  }

  it("caps offline drafts so they reach people, and leaves model drafts alone", () => {
    expect(effectiveConfidence(0.99, "offline", 0.6)).toBe(0.6);
    expect(effectiveConfidence(0.4, "offline", 0.6)).toBe(0.4);
    expect(effectiveConfidence(0.99, "openai", 0.6)).toBe(0.99);
  });

  it("model output that failed verification never acts, at any phase, and names the failed field; its confidence is capped below every threshold", () => {
    const failed = { verified: false, failures: [{ field: "diagnosis", verdict: "contradicts" as const, why: "names C18.9, not among the order's diagnoses (C34.90)" }] };
    const why = unverifiedModelOutput({ modelProvider: "openai", verification: failed });
    expect(why).toBe("diagnosis contradicts: names C18.9, not among the order's diagnoses (C34.90)");
    for (const phase of ["advisory", "partial", "full"] as const) {
      expect(gateVerdict({ phase, confidence: 0.99, threshold: 0.9, humanOnly: false, unverifiedModelOutput: why })).toEqual({ verdict: "review", reason: `model output not verified: ${why}` });
    }
    expect(effectiveConfidence(0.93, "openai", 0.6, failed)).toBe(0.5);
    expect(effectiveConfidence(0.93, "openai", 0.6, { verified: true, failures: [] })).toBe(0.93);
  });

  it("a decision a model contributed to with no verification recorded is held; one no model touched needs none", () => {
    expect(unverifiedModelOutput({ modelProvider: "offline" })).toMatch(/no verification/);
    expect(unverifiedModelOutput({ modelProvider: "openai", verification: { verified: true, failures: [] } })).toBeNull();
    expect(unverifiedModelOutput({ modelProvider: "none" })).toBeNull();
  });
});
