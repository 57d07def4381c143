/**
 * CLM02 (total claim charge) must equal the sum of the claim's line charges: SV102 on an 837P,
 * SV203 on an 837I (005010X222A1 / X223A2, 2300 CLM02: "the sum of all charges included within
 * this claim"). The reader reports it where it is, the claim model refuses it, the writer can
 * never emit it.
 */
import { describe, expect, it } from "vitest";
import { Claim } from "../../../tools/claim/claim.js";
import { BadInputError } from "../../../tools/errors.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import { toClaimModel, type ReceivedClaim } from "../../../tools/edi/readers/claim-837.js";
import { ClaimUnbalancedError, write837 } from "../../../tools/edi/writers/claim-837.js";
import { hospitalClaim, officeClaim } from "./claims.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 1, groupControl: 1, now: new Date("2026-03-03T14:05:00Z") };
const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };

describe("claim balance: CLM02 = Σ line charges", () => {
  it("837P: a CLM02 that is not Σ SV102 is an issue at CLM02 with its byte offset", () => {
    const text = write837([officeClaim], parties, envelope).replace("CLM*SBX-CLM-0001*16950.00*", "CLM*SBX-CLM-0001*16000.00*");
    const { issues, transactions } = parseX12(text);
    expect(issues).toEqual([expect.objectContaining({ code: "BALANCE_MISMATCH", segmentId: "CLM", elementPosition: 2, byteOffset: text.indexOf("CLM*"), transactionControlNumber: "0001" })]);
    expect(issues[0]!.message).toMatch(/16000\.00.*16950\.00/);
    // What arrived is still read as it is; the strict model refuses it.
    const [received] = transactions[0]!.data as ReceivedClaim[];
    expect(received!.totalCharge).toBe("16000.00");
    expect(() => toClaimModel(received!)).toThrow(/totalCharge/);
  });

  it("837I: a CLM02 that is not Σ SV203 is an issue at CLM02", () => {
    const text = write837([hospitalClaim], parties, envelope).replace("SV2*0335*HC:96413*220.00*", "SV2*0335*HC:96413*220.01*");
    expect(parseX12(text).issues).toEqual([expect.objectContaining({ code: "BALANCE_MISMATCH", segmentId: "CLM", elementPosition: 2 })]);
  });

  it("amounts compare as exact decimals: 16950 = 16950.00 = Σ of lines written with other scales", () => {
    const text = write837([officeClaim], parties, envelope).replace("CLM*SBX-CLM-0001*16950.00*", "CLM*SBX-CLM-0001*16950*").replace("*280.00*", "*280.0*");
    expect(parseX12(text).issues).toEqual([]);
  });

  it("the claim model refuses a claim whose total is not the sum of its lines, naming totalCharge", () => {
    const result = Claim.safeParse({ ...officeClaim, totalCharge: "16950.01" });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ["totalCharge"], message: expect.stringMatching(/16950\.01.*16950\.00/) })]);
    expect(Claim.safeParse(officeClaim).success).toBe(true);
  });

  it("the writer never emits an unbalanced claim: a typed error, even for a claim changed after it was parsed", () => {
    const error = (() => { try { write837([{ ...officeClaim, totalCharge: "1.00" }], parties, envelope); } catch (e) { return e; } return null; })();
    expect(error).toBeInstanceOf(ClaimUnbalancedError);
    expect(error).toBeInstanceOf(BadInputError);
    expect(error).toMatchObject({ code: "CLAIM_UNBALANCED", status: 400, details: { claimId: "SBX-CLM-0001", totalCharge: "1.00", lineTotal: "16950.00" } });
    const parsed = Claim.parse(officeClaim);
    parsed.lines[0]!.charge = "1.00";
    expect(() => write837([parsed], parties, envelope)).toThrow(ClaimUnbalancedError);
  });
});
