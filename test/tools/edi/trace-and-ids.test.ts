/**
 * 270/278 trace numbers and identifiers. TRN03 (Originating Company Identifier, AN 10/10) is
 * exactly 10 characters: "1" + EIN or "9" + a 9-digit user-assigned number (005010X279A1 2000C
 * TRN03; 005010X217 2000E TRN03). NM109 means what NM108 says it is: only XX is an NPI.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BadInputError } from "../../../tools/errors.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { AuthResponse278 } from "../../../tools/edi/readers/acknowledgments.js";
import type { ReceivedClaim } from "../../../tools/edi/readers/claim-837.js";
import type { AuthRequest278 } from "../../../tools/edi/readers/request-278.js";
import type { EligibilityRequest270 } from "../../../tools/edi/readers/request-270.js";
import { traceOriginator } from "../../../tools/edi/trace.js";
import { write278Request, write278Response } from "../../../tools/edi/writers/authorization.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { write270 } from "../../../tools/edi/writers/eligibility.js";
import { officeClaim } from "./claims.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 1, groupControl: 1, now: new Date("2026-03-03T14:05:00Z") };
const request278: AuthRequest278 = {
  trace: "PA-1", payer: { name: "P", id: "SBCOM1" }, requester: { name: "SANDBOX INFUSION CENTER", npi: "1999999984" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M1", birthDate: null },
  diagnoses: ["C3490"], services: [{ procedure: { qualifier: "HC", code: "J9271", modifiers: [] }, quantity: 200, from: "2026-03-02", to: null, servicingProvider: { name: "SANDBOX INFUSION CENTER", npi: "1999999984" } }], messages: [],
};
const TRN03 = /^(1|9)\d{9}$/;

describe("TRN03 is exactly 10 characters", () => {
  it("the 270 writer: '9' + the first nine digits of the provider's NPI (a user-assigned number derived from the clinic's identity)", () => {
    const text = write270({ trace: "E1", payer: { name: "P", id: "SBCOM1" }, provider: { name: "C", npi: "1999999984" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M", birthDate: null }, dateOfService: null, serviceTypes: ["30"], procedures: [] }, envelope);
    const trn03 = /TRN\*1\*E1\*([^~]*)~/.exec(text)?.[1];
    expect(trn03).toMatch(TRN03);
    expect(trn03).toBe("9199999998");
  });

  it("the 278 request writer: the same originator, and the request reader keeps it", () => {
    const text = write278Request(request278, envelope);
    expect(/TRN\*1\*PA-1\*([^~]*)~/.exec(text)?.[1]).toBe("9199999998");
    const read = parseX12(text);
    expect(read.issues).toEqual([]);
    expect((read.transactions[0]!.data as AuthRequest278).traceOriginator).toBe("9199999998");
  });

  it("an EIN, when the clinic has one, gives '1' + EIN; anything else is refused", () => {
    expect(traceOriginator({ ein: "123456789" })).toBe("1123456789");
    expect(traceOriginator({ npi: "1999999984" })).toBe("9199999998");
    expect(traceOriginator({})).toMatch(TRN03);
    expect(() => traceOriginator({ ein: "12-3456789" })).toThrow(BadInputError);
  });

  it("the 278 response echoes the requester's trace and originator (TRN*2), 10 characters", () => {
    const response: AuthResponse278 = { trace: "PA-1", traceOriginator: "9199999998", umo: { name: "P", idQualifier: "PI", id: "SBCOM1" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M1" },
      decisions: [{ level: "event", action: "A1", authorizationNumber: "A1", reason: null, procedure: null, quantity: null, quantityQualifier: null, certifiedFrom: null, certifiedTo: null, diagnoses: [], messages: [] }], rejections: [] };
    const text = write278Response(response, envelope);
    expect(text).toContain("TRN*2*PA-1*9199999998~");
    expect(parseX12(text).issues).toEqual([]);
  });

  it("hand-written 278 fixtures carry a 10-character TRN03", () => {
    for (const f of ["hand-certified.278", "hand-denied.278", "hand-pended.278"]) {
      const text = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/x12", f), "latin1");
      expect(/TRN\*\d\*[^*]*\*([^~*]*)/.exec(text)?.[1], f).toMatch(TRN03);
      expect(parseX12(text).issues, f).toEqual([]);
    }
  });
});

describe("NM108 kept with NM109; only XX is an NPI", () => {
  const inquiry = write270({ trace: "E1", payer: { name: "P", id: "SBCOM1" }, provider: { name: "C", npi: "1999999984" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M", birthDate: "1960-02-03" }, dateOfService: null, serviceTypes: ["30"], procedures: [] }, envelope);

  it("270: an information receiver identified by EIN (NM108 FI) or a service provider number (SV) has no NPI; XX has one", () => {
    const xx = parseX12(inquiry).transactions[0]!.data as EligibilityRequest270;
    expect(xx.provider).toEqual({ name: "C", idQualifier: "XX", id: "1999999984", npi: "1999999984" });
    expect(xx.payer).toEqual({ name: "P", idQualifier: "PI", id: "SBCOM1" });
    for (const [qualifier, id] of [["FI", "123456789"], ["SV", "A1234"]] as const) {
      const other = parseX12(inquiry.replace("*XX*1999999984~", `*${qualifier}*${id}~`)).transactions[0]!.data as EligibilityRequest270;
      expect(other.provider).toEqual({ name: "C", idQualifier: qualifier, id, npi: null });
    }
  });

  it("270: a second subscriber (NM1*IL) without DMG does not inherit the first one's birth date", () => {
    const twice = inquiry.replace(/(NM1\*IL[^~]*~\n)/, "NM1*IL*1*FIRST*ANN****MI*M0~\nDMG*D8*19500101~\n$1").replace("DMG*D8*19600203~\n", "");
    const r = parseX12(twice.replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) + 1}*`)).transactions[0]!.data as EligibilityRequest270;
    expect(r.subscriber).toEqual({ lastName: "X", firstName: "Y", memberId: "M", birthDate: null });
  });

  it("278 request: a requester identified by EIN (NM108 24) has no NPI; the servicing provider's XX is one", () => {
    const text = write278Request(request278, envelope).replace("NM1*1P*2*SANDBOX INFUSION CENTER*****XX*1999999984~", "NM1*1P*2*SANDBOX INFUSION CENTER*****24*123456789~");
    const r = parseX12(text).transactions[0]!.data as AuthRequest278;
    expect(r.requester).toEqual({ name: "SANDBOX INFUSION CENTER", idQualifier: "24", id: "123456789", npi: null });
    expect(r.services[0]!.servicingProvider).toEqual({ name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1999999984", npi: "1999999984" });
    expect(r.payer).toEqual({ name: "P", idQualifier: "PI", id: "SBCOM1" });
  });

  it("278 response: the UMO keeps its qualifier (PI payer id)", () => {
    const r = parseX12(readFileSync(path.resolve(import.meta.dirname, "../../fixtures/x12/hand-certified.278"), "latin1")).transactions[0]!.data as AuthResponse278;
    expect(r.umo).toEqual({ name: "SANDBOX ADVANTAGE", idQualifier: "PI", id: "SBMA1" });
  });

  it("837: a billing provider identified by something other than XX has no NPI; the payer keeps PI", () => {
    const envelope837 = { ...envelope };
    const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };
    const text = write837([officeClaim], parties, envelope837);
    const [ok] = parseX12(text).transactions[0]!.data as ReceivedClaim[];
    expect(ok!.billingProvider).toMatchObject({ idQualifier: "XX", id: "1234567893", npi: "1234567893" });
    expect(ok!.payer).toEqual({ name: "Sandbox Medicare Part B", idQualifier: "PI", id: "SBMCR" });
    expect(ok!.subscriber).toMatchObject({ memberIdQualifier: "MI", memberId: "1EG4TE5MK73" });
    const [other] = parseX12(text.replace("*XX*1234567893~", "*SV*A1234~")).transactions[0]!.data as ReceivedClaim[];
    expect(other!.billingProvider).toMatchObject({ idQualifier: "SV", id: "A1234", npi: null });
  });
});
