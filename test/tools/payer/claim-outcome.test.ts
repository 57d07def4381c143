/** What a clearinghouse reply says about one claim: 999 first, then the 277CA; raw interchanges kept apart. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { Ack999 } from "../../../tools/edi/readers/acknowledgments.js";
import { write999 } from "../../../tools/edi/writers/remittance.js";
import { claimOutcome, interchanges } from "../../../tools/payer/claim-outcome.js";
import type { ClearinghouseReply } from "../../../tools/payer/clearinghouse.js";

const ack277 = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/x12/hand-claim-ack.277"), "latin1");
const envelope = { senderId: "SBXCH", receiverId: "INFUSIONRCM", interchangeControl: 9, groupControl: 9, now: new Date("2026-03-05T10:30:00Z") };
const ack = (status: "A" | "R"): Ack999 => ({
  functionalId: "HC", groupControl: "7", version: "005010X222A1", groupStatus: status, counts: { included: 1, received: 1, accepted: status === "A" ? 1 : 0 },
  transactions: [{ type: "837", controlNumber: "0001", status, accepted: status === "A", codes: status === "A" ? [] : ["5"],
    errors: status === "A" ? [] : [{ segmentId: "CLM", segmentPosition: 24, loop: null, code: "8", elements: [{ position: "2", code: "7", badValue: null }] }] }],
});
const reply = (raw: string): ClearinghouseReply => {
  const { transactions, issues } = parseX12(raw);
  return { raw, transactions, issues: issues.map((i) => ({ code: i.code, message: i.message })) };
};

describe("claimOutcome", () => {
  it("splits the reply into its interchanges, with or without line breaks, and keeps the 999 and 277CA raw", () => {
    const raw = write999(ack("A"), envelope) + ack277;
    expect(interchanges(raw)).toHaveLength(2);
    expect(interchanges(raw.replaceAll("\n", ""))).toHaveLength(2);
    const out = claimOutcome(reply(raw.replaceAll("\n", "")), "SBX-CLM-0001", "0001");
    expect(out.raw.ack999).toMatch(/^ISA.*AK1\*HC\*7.*IEA\*1\*000000009~$/);
    expect(out.raw.ack277ca).toMatch(/^ISA.*005010X214.*IEA\*1\*000000512~$/);
  });

  it("a value holding IEA or ISA does not cut an interchange short", () => {
    const raw = write999(ack("A"), envelope) + ack277.replace("SAMPLEPATIENT", "IEA ISA");
    const parts = interchanges(raw);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toContain("NM1*QC*1*IEA ISA*JORDAN");
    expect(parts[1]).toMatch(/IEA\*1\*000000512~$/);
  });

  it("accepted by the 277CA: the payer's claim number; rejected: each claim and line status named", () => {
    const raw = write999(ack("A"), envelope) + ack277;
    expect(claimOutcome(reply(raw), "SBX-CLM-0001", "0001")).toMatchObject({ outcome: "accepted", reasons: [], payerClaimControlNumber: "CH-7788001" });
    const rejected = claimOutcome(reply(raw), "SBX-CLM-0002", "0001");
    expect(rejected.outcome).toBe("rejected");
    expect(rejected.reasons.map((r) => [r.code, r.line])).toEqual([["A3:21:PR", null], ["A3:145:PR", "L1"], ["A3:507:PR", "L4"]]);
    expect(rejected.reasons[0]!.message).toBe("A3 Missing or invalid information (payer)");
  });

  it("a 999 rejection of the set rejects the claim with the segment and element; no answer for the claim is pending", () => {
    const rejected = claimOutcome(reply(write999(ack("R"), envelope)), "SBX-CLM-0001", "0001");
    expect(rejected).toMatchObject({ outcome: "rejected", reasons: [{ source: "999", code: "IK3 CLM2:8", line: null }] });
    expect(rejected.reasons[0]!.message).toContain("Segment CLM (position 24)");
    expect(claimOutcome(reply(write999(ack("A"), envelope)), "SBX-CLM-0001", "0001")).toMatchObject({ outcome: "pending", reasons: [] });
    // A 277CA about other claims only leaves this one pending too.
    expect(claimOutcome(reply(write999(ack("A"), envelope) + ack277), "SOMETHING-ELSE", "0001").outcome).toBe("pending");
  });
});
