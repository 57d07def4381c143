import { describe, expect, it } from "vitest";
import { effectiveConfidence, gateVerdict } from "../../src/orchestration/gate.js";

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
});
