import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseX12 } from "../../../../tools/edi/parse.js";
import { AAA_LOOPS, type Eligibility271 } from "../../../../tools/edi/readers/eligibility-271.js";
import { interpretEligibility } from "../../../../tools/payer/benefits.js";
import { AAA_FOLLOW_UPS, AAA_REASONS } from "../../../../tools/payer/eligibility/aaa-reasons.js";
import { interpretEverySubject } from "../../../../tools/payer/eligibility/interpret-271.js";
import { HEAD, VISIT, interpret, read271, subscriber } from "./x12-271.js";

const payer = ["HL*1**20*1", "NM1*PR*2*SANDBOX COMMERCIAL*****PI*SBCOM1"];
const receiver = ["HL*2*1*21*1", "NM1*1P*2*SANDBOX INFUSION CENTER*****XX*1234567893"];

describe("AAA rejections, by the loop they stand in", () => {
  it("2000A and 2100A fail the request at the payer level", () => {
    const before = interpret(["HL*1**20*1", "AAA*N**42*R", "NM1*PR*2*SANDBOX COMMERCIAL*****PI*SBCOM1", ...receiver]);
    expect(before).toMatchObject({ status: "rejected", rejectedAt: "payer", subject: null, rejections: [{ loop: "2000A", level: "payer", code: "42", followUp: { code: "R" } }] });
    const after = interpret([...payer, "AAA*N**79*C", ...receiver, ...subscriber(["EB*1*IND*30"])]);
    expect(after).toMatchObject({ status: "rejected", rejectedAt: "payer", rejections: [{ loop: "2100A", code: "79" }] });
    expect(after.reason).toContain("payer id is not one the payer (or clearinghouse) recognises");
  });

  it("2100B fails it at the provider level (the public sample: AAA 50 provider ineligible for inquiries, do not resubmit)", () => {
    const tx = parseX12(readFileSync(path.resolve(import.meta.dirname, "../../../fixtures/x12/subscriber-health-benefit-check-error.271"), "latin1")).transactions[0]!;
    const [only] = interpretEverySubject(tx.data as Eligibility271, tx.controlNumber, VISIT);
    expect(only).toMatchObject({ subject: null, status: "rejected", rejectedAt: "provider", rejections: [{ loop: "2100B", level: "provider", code: "50", followUp: { code: "N" } }] });
    expect(only!.rejections[0]!.meaning).toBe("the payer does not take eligibility inquiries from this provider");
    expect(only!.reason).toContain("do not send it again: verify by phone or the payer's portal (AAA04 N)");
    expect(only!.evidence.map((e) => e.segment)).toEqual(["AAA*Y**50*N"]);
  });

  it("2100C fails it at the subscriber level (75 subscriber not found, 73 invalid name, 71 birth date mismatch)", () => {
    for (const [code, meaning] of [["75", "no member with the details sent"], ["73", "name is missing or does not match"], ["71", "with a different birth date"]] as const) {
      const r = interpret([...HEAD, "HL*3*2*22*0", "TRN*2*T1*9123456789", "NM1*IL*1*DOE*JANE****MI*W1", `AAA*N**${code}*C`]);
      expect(r).toMatchObject({ subject: "subscriber", status: "rejected", rejectedAt: "subscriber", rejections: [{ loop: "2100C", code }] });
      expect(r.reason).toContain(meaning);
    }
  });

  it("2100D fails it at the dependent level; asked about a dependent, a 2100C AAA fails it at the subscriber", () => {
    const dependentLoop = [...HEAD, "HL*3*2*22*1", "NM1*IL*1*DOE*JANE****MI*W1", "HL*4*3*23*0", "TRN*2*T2*9123456789", "NM1*03*1*DOE*SAM", "AAA*N**67*C"];
    const inquiry = { trace: "T2", memberId: "W1", lastName: "DOE", firstName: "JANE", birthDate: null, dependent: { lastName: "DOE", firstName: "SAM", birthDate: null } };
    expect(interpretEligibility(read271(dependentLoop), "0001", { ...VISIT, inquiry, drugs: [] })).toMatchObject({ subject: "dependent", status: "rejected", rejectedAt: "dependent", found: false, rejections: [{ loop: "2100D", code: "67" }] });
    const atSubscriber = [...HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*W1", "AAA*N**77*C"];
    expect(interpretEligibility(read271(atSubscriber), "0001", { ...VISIT, inquiry, drugs: [] })).toMatchObject({ subject: "subscriber", status: "rejected", rejectedAt: "subscriber", rejections: [{ code: "77" }] });
  });

  it("2110C rejects only that benefit inquiry: the member is found and coverage still decided", () => {
    const r = interpret([...HEAD, ...subscriber(["EB*1*IND*30", "EB*1*IND*78********Y**HC:J9999", "AAA*N**55*C"])]);
    expect(r).toMatchObject({ status: "active", rejectedAt: null, rejections: [{ loop: "2110C", level: "benefit", code: "55" }] });
    expect(r.reason).toMatch(/rejected 1 benefit inquiry \(the member was found\): AAA 55 in 2110C/);
    const d = interpret([...HEAD, "HL*3*2*22*1", "NM1*IL*1*DOE*JANE****MI*W1", "HL*4*3*23*0", "NM1*03*1*DOE*SAM", "EB*1*IND*30", "AAA*N**57*C"]);
    expect(d).toMatchObject({ subject: "dependent", status: "active", rejections: [{ loop: "2110D", level: "benefit", code: "57" }] });
  });

  it("a code the TR3 does not list still reads as a rejection, with a plain fallback", () => {
    const r = interpret([...HEAD, ...subscriber(["AAA*N**ZZ*Q"])]);
    expect(r).toMatchObject({ status: "rejected", rejections: [{ code: "ZZ", followUp: { code: "Q" } }] });
    expect(r.reason).toContain("which the 271 TR3 does not list");
  });
});

describe("the AAA reason table (TR3 005010X279A1)", () => {
  it("has a meaning, a next step and the TR3's loops for every 271 reject reason code", () => {
    const listed = ["04", "15", "33", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "80", "97", "98", "AA", "AE", "AF", "AG", "AO", "CI", "E8", "IA", "MA", "T4"];
    expect(Object.keys(AAA_REASONS).sort()).toEqual([...listed].sort());
    for (const [code, r] of Object.entries(AAA_REASONS)) {
      expect(r.meaning.length, code).toBeGreaterThan(10);
      expect(r.nextStep.length, code).toBeGreaterThan(10);
      expect(r.loops.length, code).toBeGreaterThan(0);
      for (const loop of r.loops) expect(AAA_LOOPS, code).toContain(loop);
    }
    expect(AAA_REASONS["71"]?.meaning).toMatch(/different birth date/);
    expect(AAA_REASONS["50"]?.loops).toEqual(["2100B"]);
  });

  it("has every AAA04 follow-up action code", () => {
    expect(Object.keys(AAA_FOLLOW_UPS).sort()).toEqual(["C", "N", "P", "R", "S", "W", "X", "Y"]);
  });
});
