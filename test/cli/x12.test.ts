import path from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";

const fixture = (f: string) => path.resolve(import.meta.dirname, "../fixtures/x12", f);

describe("infusion-rcm x12", () => {
  it("parse prints typed transactions and issues as JSON, exit 0", async () => {
    const res = await runCliCaptured(["x12", "parse", fixture("managed-care.835")]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { transactions: { type: string; controlNumber: string; data: { payment: { amount: string } } }[]; issues: { code: string }[] };
    expect(out.transactions[0]).toMatchObject({ type: "835", controlNumber: "112233", data: { payment: { amount: "945.00" } } });
    expect(out.issues.map((i) => i.code)).toEqual(["DATE_INVALID", "SEGMENT_MISSING"]);
  });

  it("validate exits 0 when valid, 1 with issues, 2 when the input is not X12; reads standard input with -", async () => {
    expect((await runCliCaptured(["x12", "validate", fixture("hand-denials.835")])).code).toBe(0);
    const bad = await runCliCaptured(["x12", "validate", fixture("subscriber-health-benefit-check-error.271")]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).issues[0].code).toBe("SE_CONTROL_MISMATCH");
    const junk = await runCliCaptured(["x12", "validate", "-"], "this is not an interchange");
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/not X12/);
    const stdin = await runCliCaptured(["x12", "validate", "-"], readFileSync(fixture("hand-accumulators.271"), "utf8"));
    expect(stdin.code).toBe(0);
  });

  it("refuses a missing file and bad usage with exit 2", async () => {
    expect((await runCliCaptured(["x12", "parse", "/nonexistent/file.835"])).code).toBe(2);
    expect((await runCliCaptured(["x12", "frobnicate", "x"])).code).toBe(2);
  });
});
