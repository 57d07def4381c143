import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseX12 } from "../../../../tools/edi/parse.js";
import type { Eligibility271 } from "../../../../tools/edi/readers/eligibility-271.js";
import { write271 } from "../../../../tools/edi/writers/eligibility.js";
import { interpretEligibility } from "../../../../tools/payer/benefits.js";
import { interpretEverySubject } from "../../../../tools/payer/eligibility/interpret-271.js";
import type { InquiredPerson, PersonAskedAbout } from "../../../../tools/payer/eligibility/subjects.js";
import { HEAD, VISIT, read271 } from "./x12-271.js";

const fixture = (f: string) => parseX12(readFileSync(path.resolve(import.meta.dirname, "../../../fixtures/x12", f), "latin1")).transactions[0]!;
const visit = (inquiry: InquiredPerson, dateOfService = VISIT.dateOfService) => ({ ...VISIT, dateOfService, inquiry, drugs: ["J9271"] });
const mary = { lastName: "SMITH", firstName: "MARY", birthDate: "1998-10-14" };

describe("whose answer: the subject the inquiry asked about", () => {
  it("the public dependent sample: the subscriber loop carries no EB, the dependent (2100D/2110D) is active", () => {
    const tx = fixture("dependent-health-benefit-check.271");
    const facts = interpretEligibility(tx.data as Eligibility271, tx.controlNumber, visit({ trace: "93175-012547", memberId: "123456789", lastName: "SMITH", firstName: "JOHN", birthDate: "1963-05-19", dependent: mary }, "2006-05-01"));
    expect(facts).toMatchObject({ subject: "dependent", matchedBy: "trace", status: "active", found: true, active: true, planName: "GOLD 123 PLAN", planBegin: "2006-01-01", trace: "93175-012547" });
    expect(facts.reason).toContain("the dependent SMITH, MARY");
    expect(facts.evidence.map((e) => e.segment)).toEqual(expect.arrayContaining(["NM1*03*1*SMITH*MARY", "TRN*2*93175-012547*9877281234"]));
    // The command, asked about nothing in particular, answers for the dependent only: the subscriber loop is context.
    expect(interpretEverySubject(tx.data as Eligibility271, tx.controlNumber, { ...VISIT, dateOfService: "2006-05-01" }).map((i) => [i.subject, i.status])).toEqual([["dependent", "active"]]);
  });

  it("a generated dependent answer (written by our 271 writer, read back) is active for the dependent", () => {
    const base = read271([...HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*W1", "EB*1*IND*30"]);
    const written: Eligibility271 = {
      ...base,
      subjects: [
        { ...base.subjects[0]!, traces: [], benefits: [] },
        { ...base.subjects[0]!, level: "dependent", lastName: "DOE", firstName: "SAM", idQualifier: null, memberId: null, birthDate: "2009-06-01", relationship: "19", traces: [{ type: "2", number: "E42", originatorId: "9123456789" }] },
      ],
    };
    const text = write271(written, { senderId: "SBCOM1", receiverId: "CLINIC", interchangeControl: 5, groupControl: 5, now: new Date("2026-03-01T08:00:00Z") });
    const flat = text.replace(/\r?\n/g, "");
    expect(flat).toContain("HL*3*2*22*1~");
    expect(flat).toContain("HL*4*3*23*0~TRN*2*E42*9123456789~NM1*03*1*DOE*SAM~DMG*D8*20090601~INS*N*19~EB*1*IND*30~");
    const reread = parseX12(text).transactions[0]!;
    const facts = interpretEligibility(reread.data as Eligibility271, reread.controlNumber, visit({ trace: "E42", memberId: "W1", lastName: "DOE", firstName: "JANE", birthDate: null, dependent: { lastName: "DOE", firstName: "SAM", birthDate: "2009-06-01" } }));
    expect(facts).toMatchObject({ subject: "dependent", status: "active", routes: { J9271: "medical" } });
    expect((reread.data as Eligibility271).subjects[1]).toMatchObject({ level: "dependent", relationship: "19" });
  });

  const twoDependents = [
    ...HEAD, "HL*3*2*22*1", "NM1*IL*1*DOE*JANE****MI*W1",
    "HL*4*3*23*0", "TRN*2*T-SAM*9123456789", "NM1*03*1*DOE*SAMUEL", "DMG*D8*20090601*M", "EB*6*IND*30",
    "HL*5*3*23*0", "NM1*03*1*DOE*MAY", "DMG*D8*20110302*F", "EB*1*IND*30",
  ];

  it("the TRN trace decides, even when the payer spells the name its own way", () => {
    const facts = interpretEligibility(read271(twoDependents), "0001", visit({ trace: "T-SAM", memberId: "W1", lastName: "DOE", firstName: "JANE", birthDate: null, dependent: { lastName: "DOE", firstName: "SAM", birthDate: "2009-06-01" } }));
    expect(facts).toMatchObject({ subject: "dependent", matchedBy: "trace", status: "inactive" });
  });

  it("without a trace echoed: member id and name, and the birth date when both sides have one", () => {
    const may: PersonAskedAbout = { lastName: "DOE", firstName: "MAY", birthDate: "2011-03-02" };
    const ask = (dependent: typeof may, trace: string | null = null) => interpretEligibility(read271(twoDependents), "0001", visit({ trace, memberId: "W1", lastName: "DOE", firstName: "JANE", birthDate: null, dependent }));
    expect(ask(may)).toMatchObject({ subject: "dependent", matchedBy: "member", status: "active" });
    expect(ask({ ...may, firstName: "may " })).toMatchObject({ matchedBy: "member", status: "active" });
    expect(ask({ ...may, birthDate: null })).toMatchObject({ matchedBy: "member", status: "active" });
    // A different birth date is a different person: no answer for the patient (a person asks the payer).
    const other = ask({ ...may, birthDate: "2011-03-03" });
    expect(other).toMatchObject({ subject: null, status: "undetermined", found: false, active: false });
    expect(other.reason).toContain("not the dependent asked about");
    // A trace the payer did not echo falls back to member id and name.
    expect(ask(may, "NOT-ECHOED")).toMatchObject({ matchedBy: "member", status: "active" });
    // Another member id: nobody.
    expect(interpretEligibility(read271(twoDependents), "0001", visit({ trace: null, memberId: "W2", lastName: "DOE", firstName: "JANE", birthDate: null, dependent: may })).subject).toBeNull();
  });

  it("the subscriber asked about is matched the same way, and an answer about someone else is not taken", () => {
    const body = [...HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*W1", "DMG*D8*19600101*F", "EB*1*IND*30"];
    expect(interpretEligibility(read271(body), "0001", visit({ trace: null, memberId: "W1", lastName: "Doe", firstName: "Jane", birthDate: "1960-01-01", dependent: null }))).toMatchObject({ subject: "subscriber", matchedBy: "member", status: "active" });
    expect(interpretEligibility(read271(body), "0001", visit({ trace: null, memberId: "W1", lastName: "ROE", firstName: "JANE", birthDate: null, dependent: null })).status).toBe("undetermined");
  });
});
