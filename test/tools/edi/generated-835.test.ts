import { describe, expect, it } from "vitest";
import { iterateTransactions } from "../../../tools/edi/envelope.js";
import type { X12Issue } from "../../../tools/edi/issues.js";
import { checked, parseX12 } from "../../../tools/edi/parse.js";
import { Remittance835 } from "../../../tools/edi/readers/remittance-835.js";
import { generate835 } from "../../helpers/generate-835.js";
import { oracleCounts } from "./oracle.js";

// Small enough for a unit test, large enough to hold every shape the generator makes.
const batch = generate835({ targetBytes: 400_000, seed: 14, claimsPerTransaction: [30, 90], unbalancedShare: 0.03 });
const read = parseX12(batch.text);
const remits = read.transactions.map((t) => t.data as Remittance835);
const claims = remits.flatMap((r) => r.claims);
const lines = claims.flatMap((c) => c.lines);

describe("generated 835 batches (test/helpers/generate-835.ts)", () => {
  it("hold what real remittances hold: several payers, every claim status, denials, reversals, PLB, MIA/MOA, remarks", () => {
    expect(new Set(remits.map((r) => r.payer.name)).size).toBeGreaterThanOrEqual(6);
    expect(Object.keys(batch.stats.claimsByStatus).sort()).toEqual(["1", "19", "2", "22", "4"]);
    const reasons = new Set(lines.flatMap((l) => l.adjustments.map((a) => `${a.group}-${a.reason}`)));
    for (const r of ["CO-197", "CO-16", "CO-4", "CO-11", "CO-27", "CO-45", "PR-1", "PR-2", "PR-3", "OA-23", "CO-253", "CO-151"]) expect(reasons, r).toContain(r);
    expect(new Set(lines.flatMap((l) => l.remarks.map((q) => q.code)))).toContain("M119");
    expect(lines.some((l) => l.adjustments.length >= 4)).toBe(true);
    expect(remits.flatMap((r) => r.providerAdjustments.flatMap((p) => p.adjustments.map((a) => a.reason)))).toEqual(expect.arrayContaining(["WO", "L6", "FB"]));
    expect(claims.some((c) => c.inpatientRemarks.length > 0) && claims.some((c) => c.outpatientRemarks.length > 0)).toBe(true);
    expect(claims.some((c) => c.insured !== null) && claims.some((c) => c.renderingProvider?.idQualifier === "XX")).toBe(true);
    expect(batch.planted.map((p) => p.segmentId)).toEqual(expect.arrayContaining(["CLP", "SVC"]));
  });

  it("reads with exactly the planted imbalances as issues, each at the claim or line that does not balance", () => {
    const found = read.issues.map((i) => ({ code: i.code, transactionControlNumber: i.transactionControlNumber, segmentId: i.segmentId, segmentIndex: i.segmentIndex, byteOffset: i.byteOffset }));
    expect(found).toEqual(batch.planted);
    for (const p of batch.planted) expect(batch.text.slice(p.byteOffset, p.byteOffset + 4)).toBe(`${p.segmentId}*`);
    expect(remits.filter((r) => !r.balanced).length).toBe(new Set(batch.planted.map((p) => p.transactionControlNumber)).size);
  });

  it("the typed read agrees with what was generated, claim by claim and line by line", () => {
    const s = batch.stats;
    expect([read.transactions.length, claims.length, lines.length]).toEqual([s.transactions, s.claims, s.lines]);
    const byStatus: Record<string, number> = {};
    for (const c of claims) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    expect(byStatus).toEqual(s.claimsByStatus);
    expect(claims.reduce((n, c) => n + c.adjustments.length, 0) + lines.reduce((n, l) => n + l.adjustments.length, 0)).toBe(s.adjustments);
    expect(lines.reduce((n, l) => n + l.remarks.length, 0)).toBe(s.lineRemarks);
    expect(claims.reduce((n, c) => n + c.outpatientRemarks.length + c.inpatientRemarks.length, 0)).toBe(s.claimRemarks);
    expect(remits.reduce((n, r) => n + r.providerAdjustments.reduce((m, p) => m + p.adjustments.length, 0), 0)).toBe(s.providerAdjustments);
    expect(lines.filter((l) => l.allowed === null).length).toBe(s.deniedLines);
  });

  it("a reversal negates the original and is followed by its correction, which names the original (REF*F8)", () => {
    const i = claims.findIndex((c) => c.status === "22");
    const [reversal, correction] = [claims[i]!, claims[i + 1]!];
    expect(reversal.charge.startsWith("-") && reversal.lines.every((l) => l.charge.startsWith("-"))).toBe(true);
    expect(correction.patientControlNumber).toBe(reversal.patientControlNumber);
    expect(correction.references).toContainEqual({ qualifier: "F8", value: reversal.payerClaimControlNumber });
    expect(correction.lines.map((l) => l.procedure.code)).toEqual(reversal.lines.map((l) => l.procedure.code));
  });

  it("a payment that is not Σ CLP04 − Σ PLB is reported at its BPR", () => {
    const bpr = /BPR\*[A-Z]\*(\d+(?:\.\d+)?)\*/.exec(batch.text)!;
    const text = batch.text.replace(bpr[0], bpr[0].replace(bpr[1]!, (Number(bpr[1]) + 0.01).toFixed(2)));
    const payment = parseX12(text).issues.filter((i) => i.message.startsWith("Payment"));
    expect(payment).toEqual([expect.objectContaining({ code: "BALANCE_MISMATCH", segmentId: "BPR", byteOffset: bpr.index, transactionControlNumber: "0001" })]);
  });

  it("a unit count longer than X12 allows (R 1/15) is refused by the reader at its element, never read as Infinity", () => {
    const text = batch.text.replace(/(SVC\*[^*~]*\*[^*~]*\*[^*~]*\*[^*~]*\*)\d+/, `$1${"9".repeat(400)}`);
    expect(parseX12(text).issues.filter((i) => i.code === "ELEMENT_INVALID")).toEqual([
      expect.objectContaining({ segmentId: "SVC", elementPosition: 5, message: expect.stringMatching(/^SVC05 \(units paid\) "9{40}…" \(400 characters\) is not a number of at most 15 digits$/) }),
    ]);
  });

  it("the model is still validated by its schema: a model the schema refuses is an issue with its path", () => {
    const model = parseX12(batch.text).transactions[0]!.data as Remittance835;
    const broken = { ...model, claims: [{ ...model.claims[0]!, lines: [{ ...model.claims[0]!.lines[0]!, units: Infinity }] }] };
    const issues: X12Issue[] = [];
    checked(Remittance835, broken, { type: "835", controlNumber: "0001" }, issues);
    expect(issues.map((i) => i.message)).toEqual(["835 0001: claims.0.lines.0.units Invalid input: expected number, received Infinity"]);
    expect(checked(Remittance835, model, { type: "835", controlNumber: "0001" }, [])).toBe(model);
  });

  it("node-x12's strict parser reads the same transactions, segments and claims", () => {
    const ours = [...iterateTransactions(batch.text, [])].map((t) => ({ type: t.type, control: t.controlNumber, segments: t.segments.length, claims: t.segments.filter((x) => x.id === "CLP").length }));
    expect(oracleCounts(batch.text)).toEqual(ours);
  });

  it("is deterministic: the same seed gives the same bytes, another seed other bytes", () => {
    const again = generate835({ targetBytes: 400_000, seed: 14, claimsPerTransaction: [30, 90], unbalancedShare: 0.03 });
    expect(again.text).toBe(batch.text);
    expect(generate835({ targetBytes: 50_000, seed: 15 }).text).not.toBe(generate835({ targetBytes: 50_000, seed: 14 }).text);
  });
});
