import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Claim } from "../../../tools/claim/claim.js";
import { BadInputError } from "../../../tools/errors.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { Ack999, AuthResponse278 } from "../../../tools/edi/readers/acknowledgments.js";
import { toClaimModel, type ReceivedClaim } from "../../../tools/edi/readers/claim-837.js";
import type { Eligibility271 } from "../../../tools/edi/readers/eligibility-271.js";
import type { Remittance835 } from "../../../tools/edi/readers/remittance-835.js";
import type { EligibilityRequest270 } from "../../../tools/edi/readers/request-270.js";
import type { AuthRequest278 } from "../../../tools/edi/readers/request-278.js";
import { write278Request, write278Response } from "../../../tools/edi/writers/authorization.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { write270, write271 } from "../../../tools/edi/writers/eligibility.js";
import { write835, write999 } from "../../../tools/edi/writers/remittance.js";
import { hospitalClaim, officeClaim } from "./claims.js";
import { oracleCounts } from "./oracle.js";
import { withoutPositions } from "./without-positions.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 42, groupControl: 7, now: new Date("2026-03-03T14:05:00Z") };
const parties = { submitter: { name: "Sandbox Infusion Center", id: "SBXSUB", contactName: "Billing Office", phone: "5555550100" }, receiver: { name: "Sandbox Clearinghouse", id: "SBXCH" } };

/** Writes, reads back, and checks validator and oracle agree it is clean. */
function roundTrip(text: string) {
  const { transactions, issues } = parseX12(text);
  expect(issues).toEqual([]);
  expect(() => oracleCounts(text)).not.toThrow();
  return transactions[0]!.data;
}

describe("X12 writers", () => {
  it("837P: what the writer produces reads back to the same claim model, with NDC, JW/JZ and diagnosis pointers", () => {
    const text = write837([officeClaim], parties, envelope);
    const [received] = roundTrip(text) as ReceivedClaim[];
    expect(toClaimModel(received!)).toEqual(Claim.parse(officeClaim));
    expect(text).toContain("SV1*HC:J9271:JZ*14500.00*UN*200***1~");
    expect(text).toContain("LIN**N4*00006302602~\nCTP****2*UN~");
    expect(text).toContain("REF*G1*SBA000123456~");
    expect(oracleCounts(text)[0]).toMatchObject({ type: "837", claims: 1 });
  });

  it("837I: revenue codes, bill type 13x and statement dates round-trip", () => {
    const text = write837([hospitalClaim], parties, envelope);
    const [received] = roundTrip(text) as ReceivedClaim[];
    expect(toClaimModel(received!)).toEqual(Claim.parse(hospitalClaim));
    expect(text).toContain("CLM*SBX-CLM-0002*16950.00***13:A:1**A*Y*Y~");
    expect(text).toContain("SV2*0636*HC:J9271:JZ*14500.00*UN*200~");
  });

  it("several claims under one billing provider: counts and control numbers computed", () => {
    const text = write837([officeClaim, { ...officeClaim, claimId: "SBX-CLM-0003" }], parties, envelope, "0009");
    expect((roundTrip(text) as ReceivedClaim[]).map((c) => c.claimId)).toEqual(["SBX-CLM-0001", "SBX-CLM-0003"]);
    expect(oracleCounts(text)[0]).toMatchObject({ control: "0009", claims: 2 });
    expect(text).toMatch(/^ISA\*00\*.{10}\*00\*.{10}\*ZZ\*INFUSIONRCM {4}\*ZZ\*SANDBOXPAYER {3}\*260303\*1405\*\^\*00501\*000000042\*0\*T\*:~/);
  });

  it("refuses an invalid claim and a value containing a delimiter, naming the field", () => {
    expect(() => write837([{ ...officeClaim, diagnoses: [] }], parties, envelope)).toThrow(/diagnoses/);
    const error = (() => { try { write837([{ ...officeClaim, payer: { name: "A*B", id: "X" } }], parties, envelope); } catch (e) { return e; } return null; })();
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toMatch(/contains the element delimiter/);
  });

  it("270 and 278 request round-trip", () => {
    const req: EligibilityRequest270 = { trace: "ELIG-42", payer: { name: "SANDBOX MEDICARE", idQualifier: "PI", id: "SBMCR" }, provider: { name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", npi: "1234567893" },
      subscriber: { lastName: "TESTPERSON", firstName: "ALEX", memberId: "1EG4TE5MK73", birthDate: "1955-04-02" }, dateOfService: "2026-03-09", serviceTypes: ["30", "78"], procedures: ["J9271"] };
    expect(roundTrip(write270(req, envelope))).toEqual(req);
    const auth: AuthRequest278 = { trace: "PA-42", traceOriginator: "9123456789", payer: { name: "SANDBOX ADVANTAGE", idQualifier: "PI", id: "SBMA1" },
      requester: { name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", npi: "1234567893" },
      subscriber: { lastName: "TESTPERSON", firstName: "ALEX", memberId: "W123456789", birthDate: "1955-04-02" }, diagnoses: ["C3490"],
      services: [{ procedure: { qualifier: "HC", code: "J9271", modifiers: [] }, quantity: 1600, from: "2026-03-09", to: "2026-09-08", servicingProvider: { name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", npi: "1234567893" } }],
      messages: ["PD-L1 TPS 60 PERCENT; STAGE IV NSCLC; FIRST LINE"] };
    expect(roundTrip(write278Request(auth, envelope))).toEqual(auth);
  });

  it("278 request for a dependent: the subscriber in 2000C/2010C, the patient in 2000D/2010D (NM1*QC, DMG), the event under the dependent (005010X217)", () => {
    const auth: AuthRequest278 = { trace: "PA-43", traceOriginator: "9123456789", payer: { name: "SANDBOX COMMERCIAL", idQualifier: "PI", id: "SBCOM1" },
      requester: { name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", npi: "1234567893" },
      subscriber: { lastName: "HOLDER", firstName: "ROBIN", memberId: "W123456789", birthDate: "1956-07-11" },
      dependent: { lastName: "HOLDER", firstName: "ALEX", birthDate: "1958-04-02", gender: "F" }, diagnoses: ["C3490"],
      services: [{ procedure: { qualifier: "HC", code: "J9271", modifiers: [] }, quantity: 1600, from: "2026-03-09", to: "2026-09-08", servicingProvider: null }], messages: [] };
    const text = write278Request(auth, envelope);
    expect(text.replace(/\n/g, "")).toContain("HL*3*2*22*1~NM1*IL*1*HOLDER*ROBIN****MI*W123456789~DMG*D8*19560711~HL*4*3*23*1~NM1*QC*1*HOLDER*ALEX~DMG*D8*19580402*F~HL*5*4*EV*1~UM*HS*I*2*11:B~TRN*1*PA-43*9123456789~");
    expect(text.replace(/\n/g, "")).toContain("HL*6*5*SS*0~");
    expect(roundTrip(text)).toEqual(auth);
    expect(oracleCounts(text)[0]).toMatchObject({ type: "278", control: "0001" });
  });

  it("271, 278 response, 835 and 999 round-trip (the payer simulator's side)", () => {
    const elig: Eligibility271 = {
      informationSource: { name: "SANDBOX COMMERCIAL", idQualifier: "PI", id: "SBCOM1", rejections: [] },
      receiver: { name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", rejections: [] },
      subjects: [{ level: "subscriber", lastName: "TESTPERSON", firstName: "ALEX", idQualifier: "MI", memberId: "W123456789", birthDate: "1961-04-02", gender: "F", relationship: null,
        traces: [{ type: "2", number: "ELIG-42", originatorId: "9123456789" }], rejections: [], dates: [{ qualifier: "346", start: "2026-01-01", end: "2026-01-01" }],
        coverageActive: true, planName: "COMMERCIAL PPO", benefits: [
          { code: "1", coverageLevel: "IND", serviceTypes: ["30", "78"], insuranceType: "C1", planDescription: "COMMERCIAL PPO", timePeriod: null, amount: null, percent: null, quantityQualifier: null, quantity: null, authorizationRequired: null, inNetwork: null, procedure: null, messages: [], dates: [], rejections: [], relatedEntities: [] },
          { code: "C", coverageLevel: "IND", serviceTypes: ["30"], insuranceType: null, planDescription: null, timePeriod: "29", amount: "400.00", percent: null, quantityQualifier: null, quantity: null, authorizationRequired: null, inNetwork: "Y", procedure: null, messages: [], dates: [], rejections: [], relatedEntities: [] },
          { code: "A", coverageLevel: "IND", serviceTypes: ["78"], insuranceType: null, planDescription: null, timePeriod: null, amount: null, percent: "0.20", quantityQualifier: null, quantity: null, authorizationRequired: null, inNetwork: "Y", procedure: null, messages: [], dates: [], rejections: [], relatedEntities: [] },
          { code: "1", coverageLevel: "IND", serviceTypes: ["88"], insuranceType: null, planDescription: null, timePeriod: null, amount: null, percent: null, quantityQualifier: null, quantity: null, authorizationRequired: true, inNetwork: null, procedure: { qualifier: "HC", code: "J2506", modifiers: [] }, messages: ["PHARMACY BENEFIT"], dates: [], rejections: [], relatedEntities: [] },
        ] }],
      rejections: [],
    };
    expect(withoutPositions(roundTrip(write271(elig, envelope)))).toEqual(elig);

    const decision: AuthResponse278 = { trace: "PA-42", traceOriginator: "9123456789", umo: { name: "SANDBOX ADVANTAGE", idQualifier: "PI", id: "SBMA1" }, subscriber: { lastName: "TESTPERSON", firstName: "ALEX", memberId: "W123456789" },
      decisions: [{ level: "event", action: "A1", authorizationNumber: "SBA1", reason: null, procedure: null, quantity: null, quantityQualifier: null, certifiedFrom: null, certifiedTo: null, diagnoses: ["C3490"], messages: [] },
        { level: "service", action: "A1", authorizationNumber: "SBA1", reason: null, procedure: { qualifier: "HC", code: "J9271", modifiers: [] }, quantity: 1600, quantityQualifier: "UN", certifiedFrom: "2026-03-09", certifiedTo: "2026-09-08", diagnoses: [], messages: ["CERTIFIED"] }],
      rejections: [] };
    expect(roundTrip(write278Response(decision, envelope))).toEqual(decision);

    const remit = parseX12(readHandDenials()).transactions[0]!.data as Remittance835;
    const payer = { address: { line1: "1 SANDBOX PAYER WAY", city: "SPRINGFIELD", state: "IL", zip: "62701" }, technicalContact: { name: "EDI SUPPORT", phone: "8005550100" } };
    const written835 = write835(remit, envelope, "0001", payer);
    expect(written835).toContain("N1*PR*SANDBOX COMMERCIAL HEALTH*XV*SBCOM1~\nN3*1 SANDBOX PAYER WAY~\nN4*SPRINGFIELD*IL*62701~\nPER*BL*EDI SUPPORT*TE*8005550100~");
    expect(roundTrip(written835)).toEqual(remit);

    const ack: Ack999 = { functionalId: "HC", groupControl: "7", version: "005010X222A1", groupStatus: "P", counts: { included: 2, received: 2, accepted: 1 },
      transactions: [{ type: "837", controlNumber: "0001", status: "A", accepted: true, codes: [], errors: [] },
        { type: "837", controlNumber: "0002", status: "R", accepted: false, codes: ["5"], errors: [{ segmentId: "CLM", segmentPosition: 22, loop: "2300", code: "8", elements: [{ position: "2", code: "6", badValue: "12A.00" }] }] }] };
    expect(roundTrip(write999(ack, envelope))).toEqual(ack);
  });
});

function readHandDenials(): string {
  return readFileSync(path.resolve(import.meta.dirname, "../../fixtures/x12/hand-denials.835"), "utf8");
}
