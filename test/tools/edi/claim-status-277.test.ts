/**
 * 277CA (005010X214) and 277 (005010X212): who a status belongs to. The 2200B information-receiver
 * TRN/STC acknowledges the batch (it is not a claim); a claim starts at the 2200D TRN; an STC after
 * an SVC (2220D) belongs to that service line, not to the claim.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { ClaimStatus277 } from "../../../tools/edi/readers/acknowledgments.js";

const DIR = path.resolve(import.meta.dirname, "../../fixtures/x12");
const read = (f: string) => parseX12(readFileSync(path.join(DIR, f), "latin1"));

describe("277CA: batch, provider, claim and line statuses", () => {
  it("hand-claim-ack.277: the 2200B TRN/STC is the batch acknowledgment, not a claim", () => {
    const { transactions, issues } = read("hand-claim-ack.277");
    expect(issues).toEqual([]);
    const r = transactions[0]!.data as ClaimStatus277;
    expect(r.claims.map((c) => c.patientControlNumber)).toEqual(["SBX-CLM-0001", "SBX-CLM-0002"]);
    expect(r.batches).toEqual([{
      receiver: { name: "SANDBOX INFUSION CENTER", idQualifier: "46", id: "SBXSUB" }, trace: "20260304BATCH7",
      statuses: [{ category: "A1", status: "19", entity: "PR", date: "2026-03-05", action: "WQ", amount: "33900.00" }],
      acceptedQuantity: 1, rejectedQuantity: 1, acceptedAmount: "16950.00", rejectedAmount: "16950.00",
    }]);
  });

  it("hand-claim-ack.277: a line-level STC (2220D, after SVC) belongs to its line; the claim keeps its own", () => {
    const r = read("hand-claim-ack.277").transactions[0]!.data as ClaimStatus277;
    const [accepted, rejected] = r.claims;
    expect(accepted).toMatchObject({ accepted: true, payerClaimControlNumber: "CH-7788001", serviceFrom: "2026-03-02", lines: [] });
    expect(accepted!.patient).toEqual({ lastName: "TESTPERSON", firstName: "ALEX", idQualifier: "MI", memberId: "1EG4TE5MK73" });
    expect(rejected!.accepted).toBe(false);
    expect(rejected!.statuses.map((s) => `${s.category}:${s.status}`)).toEqual(["A3:21"]);
    expect(rejected!.lines.map((l) => [l.procedure?.code, l.procedure?.modifiers, l.charge, l.lineControlNumber, l.serviceFrom, l.statuses.map((s) => `${s.category}:${s.status}`)]))
      .toEqual([["J9271", ["JZ"], "14500.00", "L1", "2026-03-02", ["A3:145"]], ["96413", [], "220.00", "L4", "2026-03-02", ["A3:507"]]]);
  });

  it("hand-claim-ack.277: the billing provider (2000C) keeps NM108 with NM109; XX is an NPI", () => {
    const r = read("hand-claim-ack.277").transactions[0]!.data as ClaimStatus277;
    expect(r.claims[0]!.provider).toEqual({ name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", npi: "1234567893" });
  });

  it("claim-level-status.277 (X212): the STC after SVC is the line's, so the third claim has one claim status and one line status", () => {
    const r = read("claim-level-status.277").transactions[0]!.data as ClaimStatus277;
    expect(r.claims.map((c) => c.patientControlNumber)).toEqual(["ABCXYZ1", "ABCXYZ2", "ABCXYC3"]);
    const third = r.claims[2]!;
    expect(third.statuses).toHaveLength(1);
    expect(third.lines).toEqual([expect.objectContaining({ procedure: { qualifier: "HC", code: "99203", modifiers: [] }, charge: "150.00", serviceFrom: "2005-05-01",
      statuses: [expect.objectContaining({ category: "F2", status: "88", entity: "QC" })] })]);
    // The service provider (2100C NM1*1P) with its qualifier.
    expect(r.claims[0]!.provider).toEqual({ name: "HOME HOSPITAL", idQualifier: "XX", id: "1666666661", npi: "1666666661" });
    expect(r.batches).toEqual([]);
  });
});
