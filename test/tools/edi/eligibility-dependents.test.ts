import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { Eligibility271 } from "../../../tools/edi/readers/eligibility-271.js";
import type { EligibilityRequest270 } from "../../../tools/edi/readers/request-270.js";
import { write270 } from "../../../tools/edi/writers/eligibility.js";
import { HEAD, read271 } from "../payer/eligibility/x12-271.js";
import { oracleCounts } from "./oracle.js";

const envelope = { senderId: "1234567893", receiverId: "SBCOM1", interchangeControl: 9, groupControl: 9, now: new Date("2026-03-01T08:00:00Z") };
const flat = (text: string) => text.replace(/\r?\n/g, "");

describe("270 for a dependent (005010X279A1 2000D)", () => {
  const request: EligibilityRequest270 = {
    trace: "E42", payer: { name: "SANDBOX COMMERCIAL", idQualifier: "PI", id: "SBCOM1" }, provider: { name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", npi: "1234567893" },
    subscriber: { lastName: "HOLDER", firstName: "ROBIN", memberId: "W123456789", birthDate: "1956-07-11" },
    dependent: { lastName: "HOLDER", firstName: "ALEX", birthDate: "1958-04-02", gender: "F" },
    dateOfService: "2026-03-06", serviceTypes: ["30", "78"], procedures: ["J9271"],
  };

  it("puts the subscriber (NM1*IL with the member id) in 2000C and the patient, trace, date and service types in 2000D", () => {
    const text = flat(write270(request, envelope));
    expect(text).toContain([
      "HL*3*2*22*1", "NM1*IL*1*HOLDER*ROBIN****MI*W123456789", "DMG*D8*19560711",
      "HL*4*3*23*0", "TRN*1*E42*9123456789", "NM1*03*1*HOLDER*ALEX", "DMG*D8*19580402*F", "DTP*291*D8*20260306", "EQ*30^78", "EQ**HC:J9271", "SE*",
    ].join("~"));
    const { transactions, issues } = parseX12(text);
    expect(issues).toEqual([]);
    expect(transactions[0]!.data).toEqual(request);
    expect(oracleCounts(text)).toEqual([{ type: "270", control: "0001", segments: 17, claims: 0 }]);
  });

  it("a subscriber who is the patient stays in 2000C, as before", () => {
    const { dependent: _d, ...subscriberOnly } = request;
    const text = flat(write270(subscriberOnly, envelope));
    expect(text).toContain("HL*3*2*22*0~TRN*1*E42*9123456789~NM1*IL*1*HOLDER*ROBIN****MI*W123456789~DMG*D8*19560711~DTP*291");
    expect(text).not.toContain("HL*4");
    expect(parseX12(text).transactions[0]!.data).toEqual(subscriberOnly);
  });
});

describe("271 reader: where things stand", () => {
  it("the public dependent sample: INS relationship, NM108 next to NM109, dates and benefits of the dependent, each with its position", () => {
    const text = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/x12/dependent-health-benefit-check.271"), "latin1");
    const r = parseX12(text).transactions[0]!.data as Eligibility271;
    const [subscriber, dependent] = r.subjects;
    expect(subscriber).toMatchObject({ level: "subscriber", idQualifier: "MI", memberId: "123456789", benefits: [], traces: [] });
    expect(dependent).toMatchObject({ level: "dependent", firstName: "MARY", relationship: "19", memberId: null, traces: [{ type: "2", number: "93175-012547" }], dates: [{ qualifier: "346", start: "2006-01-01" }] });
    expect(r.receiver).toMatchObject({ idQualifier: "SV", id: "2000035" });
    for (const at of [dependent!.at!, dependent!.dates[0]!.at!, ...dependent!.benefits.map((b) => b.at!)]) {
      expect(text.slice(at.offset, at.offset + at.text.length)).toBe(at.text);
    }
    expect(dependent!.benefits[0]!.at).toMatchObject({ text: "EB*1**30**GOLD 123 PLAN", index: 21 });
  });

  it("tags each AAA with its loop, and keeps 2110 AAA and DTP with their benefit", () => {
    const r = read271([
      "HL*1**20*1", "AAA*Y**04*R", "NM1*PR*2*SANDBOX COMMERCIAL*****PI*SBCOM1", "AAA*Y**80*P",
      "HL*2*1*21*1", "NM1*1P*2*SANDBOX INFUSION CENTER*****XX*1234567893", "AAA*Y**43*C",
      "HL*3*2*22*1", "NM1*IL*1*DOE*JANE****MI*W1", "AAA*N**72*C", "EB*1*IND*30", "DTP*291*RD8*20260101-20261231", "AAA*N**57*C",
      "HL*4*3*23*0", "NM1*03*1*DOE*SAM", "AAA*N**65*C", "DTP*346*D8*20260101", "EB*1*IND*78", "AAA*N**55*C", "MSG*SEE PLAN",
    ]);
    expect(r.rejections.map((x) => [x.loop, x.code])).toEqual([["2000A", "04"], ["2100A", "80"], ["2100B", "43"], ["2100C", "72"], ["2110C", "57"], ["2100D", "65"], ["2110D", "55"]]);
    const [s, d] = r.subjects;
    expect(s!.rejections.map((x) => x.code)).toEqual(["72"]);
    expect(s!.dates).toEqual([]);
    expect(s!.benefits[0]).toMatchObject({ rejections: [{ code: "57" }], dates: [{ qualifier: "291", start: "2026-01-01", end: "2026-12-31" }] });
    expect(d!.dates.map((x) => x.qualifier)).toEqual(["346"]);
    expect(d!.benefits[0]).toMatchObject({ rejections: [{ code: "55" }], messages: ["SEE PLAN"] });
    expect(r.informationSource.rejections.map((x) => x.code)).toEqual(["04", "80"]);
  });

  it("the raw coverage summary counts EB01 2–4 as active and V (cannot process) as neither", () => {
    expect(read271([...HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*W1", "EB*3*IND*30"]).subjects[0]!.coverageActive).toBe(true);
    expect(read271([...HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*W1", "EB*V"]).subjects[0]!.coverageActive).toBeNull();
  });
});
