import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serviceTypesFor } from "../../../../tools/payer/eligibility/accumulators.js";
import { HEAD, interpret, subscriber } from "./x12-271.js";

const active = "EB*1*IND*30^1^78**COMMERCIAL PPO";
const at = (rows: string[], options: Parameters<typeof interpret>[1] = {}) => interpret([...HEAD, ...subscriber([active, ...rows])], options);

describe("deductible and out-of-pocket remaining: which EB rows", () => {
  it("network: EB12 Y for an in-network clinic, N for an out-of-network one", () => {
    const rows = ["EB*C*IND*30***29*400.00*****Y", "EB*C*IND*30***29*2400.00*****N", "EB*A*IND*78*****.20****Y", "EB*A*IND*78*****.40****N"];
    expect(at(rows)).toMatchObject({ deductibleRemaining: "400.00", coinsurancePercent: "20.00" });
    expect(at(rows, { network: "out" })).toMatchObject({ deductibleRemaining: "2400.00", coinsurancePercent: "40.00" });
  });

  it("network: W (both) applies to either when no row names the clinic's network; a row without EB12 comes after", () => {
    expect(at(["EB*C*IND*30***29*2400.00*****N", "EB*C*IND*30***29*700.00*****W"]).deductibleRemaining).toBe("700.00");
    expect(at(["EB*C*IND*30***29*700.00*****W", "EB*C*IND*30***29*999.00"], { network: "out" }).deductibleRemaining).toBe("700.00");
    expect(at(["EB*C*IND*30***29*999.00", "EB*C*IND*30***29*2400.00*****N"]).deductibleRemaining).toBe("999.00");
  });

  it("time period: 29 remaining wins over 23 calendar year", () => {
    const r = at(["EB*C*IND*30***23*1500.00", "EB*C*IND*30***29*400.00", "EB*G*IND*30***23*6000.00", "EB*G*IND*30***29*3875.25"]);
    expect(r).toMatchObject({ deductibleRemaining: "400.00", deductibleBasis: "remaining", outOfPocketRemaining: "3875.25", outOfPocketBasis: "remaining" });
    expect(r.evidence.find((e) => e.use === "deductible remaining")?.segment).toBe("EB*C*IND*30***29*400.00");
  });

  it("time period: only a calendar-year row (23) is used when no remaining row exists, and the answer says so", () => {
    const r = at(["EB*C*IND*30***23*1500.00"]);
    expect(r).toMatchObject({ deductibleRemaining: "1500.00", deductibleBasis: "calendar-year" });
    expect(r.reason).toContain("deductible for the calendar year (the payer sent no remaining amount) 1500.00");
    expect(r.evidence.find((e) => e.segment === "EB*C*IND*30***23*1500.00")?.use).toContain("no remaining amount");
  });

  it("coverage level: each level's own network row, then the smaller (IND in-network 400, FAM both 1250)", () => {
    const rows = ["EB*C*IND*30***29*400.00*****Y", "EB*C*IND*30***29*1400.00*****N", "EB*C*FAM*30***29*1250.00*****W"];
    expect(at(rows).deductibleRemaining).toBe("400.00");
    expect(at(rows, { network: "out" }).deductibleRemaining).toBe("1250.00");
  });

  it("coverage level: individual and family — the smaller remaining, either way round", () => {
    expect(at(["EB*C*IND*30***29*1300.00", "EB*C*FAM*30***29*500.10"]).deductibleRemaining).toBe("500.10");
    expect(at(["EB*C*IND*30***29*100.00", "EB*C*FAM*30***29*500.10"]).deductibleRemaining).toBe("100.00");
    expect(at(["EB*G*IND*30***29*4000.00", "EB*G*FAM*30***29*9000.00"]).outOfPocketRemaining).toBe("4000.00");
  });

  it("service type: every EB03 repetition counts; the most specific type for the visit wins; unrelated types are ignored", () => {
    expect(at(["EB*C*IND*1^33^78***29*250.00"]).deductibleRemaining).toBe("250.00");
    expect(at(["EB*C*IND*30***29*900.00", "EB*C*IND*47^78***29*250.00"]).deductibleRemaining).toBe("250.00");
    expect(at(["EB*C*IND*88***29*50.00", "EB*C*IND*30***29*900.00"]).deductibleRemaining).toBe("900.00");
    expect(at(["EB*C*IND*88***29*50.00", "EB*C*IND*30***29*900.00"], { serviceTypes: serviceTypesFor("88") }).deductibleRemaining).toBe("50.00");
    // An office visit (98) and a hospital outpatient visit (50) read their own rows.
    const site = ["EB*C*IND*98***29*120.00", "EB*C*IND*50***29*640.00"];
    expect(at(site, { serviceTypes: serviceTypesFor("98") }).deductibleRemaining).toBe("120.00");
    expect(at(site, { serviceTypes: serviceTypesFor("50") }).deductibleRemaining).toBe("640.00");
  });

  it("a drug's row (EB13) is not the plan's deductible", () => {
    expect(at(["EB*C*IND*78***29*5.00******HC:J9271", "EB*C*IND*30***29*900.00"]).deductibleRemaining).toBe("900.00");
  });

  it("the rationale names the segment used and where it is", () => {
    const r = at(["EB*C*IND*30***29*1200"]);
    const used = r.evidence.find((e) => e.use === "deductible remaining")!;
    expect(used.segment).toBe("EB*C*IND*30***29*1200");
    expect(r.reason).toContain(`EB*C*IND*30***29*1200 at segment ${used.position!.setPosition} of the 271 (byte ${used.position!.setOffset})`);
    // ISA, GS, then the transaction set: ST is segment 1 of the 271 (file index 2), this EB segment 12 (file index 13).
    expect(used.position).toMatchObject({ index: 13, setPosition: 12 });
    expect(used.position!.offset - used.position!.setOffset).toBe(r.evidence[0]!.position!.offset - r.evidence[0]!.position!.setOffset);
  });
});

describe("row order does not change the answer (property)", () => {
  const rows = [
    "EB*1*IND*30^1^78**COMMERCIAL PPO", "EB*1*IND*88", "EB*B*IND*98***27*30.00",
    "EB*C*IND*30***23*1500.00", "EB*C*IND*30***29*400.00*****Y", "EB*C*IND*30***29*1400.00*****N", "EB*C*FAM*30***29*1250.00*****W", "EB*C*FAM*30***23*3000.00",
    "EB*C*IND*88***29*10.00", "EB*C*EMP*30***29*420.00*****Y",
    "EB*G*IND*30***23*6000.00", "EB*G*IND*30***29*3875.25", "EB*G*FAM*30***29*9100.00", "EB*G*IND*30***29*3000.00*****N",
    "EB*A*IND*78*****.20****Y", "EB*A*IND*78*****.25****Y", "EB*A*IND*78*****.40****N", "EB*A*IND*30*****.30",
    "EB*1*IND*78********Y*Y*HC:J9271", "EB*C*IND*30***29*5.00", "EB*C*IND*30***29*5.00",
  ];
  const answer = (order: string[], network: "in" | "out") => {
    const r = interpret([...HEAD, ...subscriber(["DTP*346*D8*20260101", ...order])], { network });
    return {
      status: r.status, finding: r.finding, plan: r.planName, deductible: [r.deductibleRemaining, r.deductibleBasis], oop: [r.outOfPocketRemaining, r.outOfPocketBasis],
      coinsurance: r.coinsurancePercent, segments: r.evidence.map((e) => `${e.use}: ${e.segment}`).sort(), reason: r.reason.replace(/ at segment \d+ of the 271 \(byte \d+\)/g, ""),
    };
  };

  it("shuffling the EB rows gives the same status, amounts, rationale and segments used", () => {
    const expected = { in: answer(rows, "in"), out: answer(rows, "out") };
    expect(expected.in).toMatchObject({ status: "active", plan: "COMMERCIAL PPO", deductible: ["400.00", "remaining"], oop: ["3875.25", "remaining"], coinsurance: "25.00" });
    expect(expected.out).toMatchObject({ deductible: ["1250.00", "remaining"], oop: ["3000.00", "remaining"], coinsurance: "40.00" });
    fc.assert(fc.property(fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }), fc.constantFrom("in" as const, "out" as const), (order, network) => {
      expect(answer(order, network)).toEqual(expected[network]);
    }), { numRuns: 200 });
  });
});
