/**
 * A dependent patient on the 837 (005010X222A1 / X223A2 2000C/2010CA): written under the
 * subscriber with HL*…*23, PAT01 and NM1*QC, read back into the same claim model, and kept apart
 * from the subscriber's own name, birth date and address.
 */
import { describe, expect, it } from "vitest";
import { Claim, type ClaimInput } from "../../../tools/claim/claim.js";
import { BadInputError } from "../../../tools/errors.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import { toClaimModel, type ReceivedClaim } from "../../../tools/edi/readers/claim-837.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { hospitalClaim, officeClaim } from "./claims.js";
import { oracleCounts } from "./oracle.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 42, groupControl: 7, now: new Date("2026-03-03T14:05:00Z") };
const parties = { submitter: { name: "Sandbox Infusion Center", id: "SBXSUB", contactName: "Billing Office", phone: "5555550100" }, receiver: { name: "Sandbox Clearinghouse", id: "SBXCH" } };
const child = { relationship: "19" as const, lastName: "TESTPERSON", firstName: "JAMIE", birthDate: "2012-06-30", gender: "M" as const, address: { line1: "9 Elm St", line2: null, city: "Springfield", state: "IL", zip: "62704" } };
const subscriberAddress = { line1: "1 Oak St", line2: "Apt 2", city: "Springfield", state: "IL", zip: "62701" };
const dependentClaim: ClaimInput = { ...officeClaim, claimId: "SBX-DEP-0001", subscriber: { ...officeClaim.subscriber, address: subscriberAddress }, patient: child };

function read(text: string): ReceivedClaim[] {
  const { transactions, issues } = parseX12(text);
  expect(issues).toEqual([]);
  expect(() => oracleCounts(text)).not.toThrow();
  return transactions[0]!.data as ReceivedClaim[];
}

describe("837 dependents (2000C/2010CA)", () => {
  it("837P: a dependent patient is written in 2000C (HL 23 under the subscriber's HL, PAT01, NM1*QC, DMG) and reads back to the same claim", () => {
    const text = write837([dependentClaim], parties, envelope);
    // Subscriber HL has a child (HL04 1); SBR02 is left out; the patient level points at the subscriber's HL.
    expect(text).toContain("HL*2*1*22*1~\nSBR*P**");
    expect(text).toContain("HL*3*2*23*0~\nPAT*19~\nNM1*QC*1*TESTPERSON*JAMIE~\nN3*9 Elm St~\nN4*Springfield*IL*62704~\nDMG*D8*20120630*M~\nCLM*SBX-DEP-0001*");
    const [received] = read(text);
    expect(received!.subscriber).toMatchObject({ relationship: null, firstName: "ALEX", birthDate: "1955-04-02", gender: "F", address: { line1: "1 Oak St", line2: "Apt 2", zip: "62701" } });
    expect(received!.patient).toEqual({ relationship: "19", lastName: "TESTPERSON", firstName: "JAMIE", birthDate: "2012-06-30", gender: "M", address: { line1: "9 Elm St", line2: null, city: "Springfield", state: "IL", zip: "62704" } });
    expect(toClaimModel(received!)).toEqual(Claim.parse(dependentClaim));
  });

  it("837I: the same patient loop round-trips on an institutional claim", () => {
    const claim: ClaimInput = { ...hospitalClaim, claimId: "SBX-DEP-0002", patient: { ...child, relationship: "01", gender: "F" } };
    const [received] = read(write837([claim], parties, envelope));
    expect(received!.patient).toMatchObject({ relationship: "01", gender: "F" });
    expect(toClaimModel(received!)).toEqual(Claim.parse(claim));
  });

  it("the patient is the subscriber: SBR02 18, no 2000C, patient null — and a dependent before it in the file does not carry over", () => {
    const self: ClaimInput = { ...officeClaim, claimId: "SBX-SELF-0001" };
    const text = write837([dependentClaim, self], parties, envelope);
    const [dep, own] = read(text);
    expect(dep!.patient?.firstName).toBe("JAMIE");
    expect(own!.patient).toBeNull();
    expect(own!.subscriber.relationship).toBe("18");
    expect(toClaimModel(own!)).toEqual(Claim.parse(self));
    expect(text.match(/\*23\*0~/g)).toHaveLength(1);
  });

  it("the subscriber's address and birth date are not the patient's, nor the other way round, whatever their order", () => {
    const noSubscriberAddress: ClaimInput = { ...dependentClaim, subscriber: { ...officeClaim.subscriber, address: null } };
    const [received] = read(write837([noSubscriberAddress], parties, envelope));
    expect(received!.subscriber.address).toBeNull();
    expect(received!.subscriber.birthDate).toBe("1955-04-02");
    expect(received!.patient!.address?.line1).toBe("9 Elm St");
    expect(received!.patient!.birthDate).toBe("2012-06-30");
  });

  it("relationship 18 (self) is not a dependent's: the model refuses it, so the writer never puts a patient loop saying self", () => {
    expect(Claim.safeParse({ ...dependentClaim, patient: { ...child, relationship: "18" } }).success).toBe(false);
    expect(() => write837([{ ...dependentClaim, patient: { ...child, relationship: "18" as "19" } }], parties, envelope)).toThrow(BadInputError);
  });

  it("a patient without an address is refused before writing (2010CA N3/N4 are required)", () => {
    expect(() => write837([{ ...dependentClaim, patient: { ...child, address: null as unknown as typeof child.address } }], parties, envelope)).toThrow(/patient\.address/);
  });

  it("a received patient loop without PAT01 or a birth date does not fit the model, and toClaimModel names the field", () => {
    const text = write837([dependentClaim], parties, envelope).replace("PAT*19~\n", "PAT~\n").replace("DMG*D8*20120630*M~", "DMG*D8**M~");
    const { transactions } = parseX12(text);
    const [received] = transactions[0]!.data as ReceivedClaim[];
    expect(received!.patient).toMatchObject({ relationship: null, birthDate: null });
    const error = (() => { try { toClaimModel(received!); } catch (e) { return e as BadInputError; } return null; })();
    expect(error).toBeInstanceOf(BadInputError);
    expect(error!.message).toMatch(/patient\.relationship/);
    expect(error!.message).toMatch(/patient\.birthDate/);
  });
});
