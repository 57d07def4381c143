import { describe, expect, it } from "vitest";
import { HEAD, interpret, subscriber } from "./x12-271.js";

const active = "EB*1*IND*30^1^78**COMMERCIAL PPO";
const at = (...rest: string[]) => interpret([...HEAD, ...subscriber(rest)]);

describe("coverage status (EB01) on the date of service", () => {
  it.each(["1", "2", "3", "4"])("EB01 %s is active coverage (active; full risk capitation; services capitated; capitated to the PCP)", (code) => {
    const r = at(`EB*${code}*IND*30**COMMERCIAL PPO`);
    expect(r).toMatchObject({ status: "active", finding: "active", planName: "COMMERCIAL PPO" });
    expect(r.evidence.map((e) => e.segment)).toContain(`EB*${code}*IND*30**COMMERCIAL PPO`);
  });

  it("EB01 5 (active, pending investigation) needs a person: undetermined, never active", () => {
    const r = at("EB*5*IND*30");
    expect(r).toMatchObject({ status: "undetermined", finding: "pending-investigation" });
    expect(r.reason).toMatch(/EB\*5\*IND\*30 \(active, pending investigation\) at segment \d+ of the 271 \(byte \d+\).*Ask the payer/);
  });

  it.each(["6", "7", "8"])("EB01 %s is inactive", (code) => {
    expect(at(`EB*${code}*IND*30`)).toMatchObject({ status: "inactive", finding: "inactive-on-date" });
  });

  it("a 271 with no EB01 1–8 is undetermined, never inactive, and the message says what the payer did and did not say", () => {
    const r = at("EB*B*IND*98***27*30.00", "EB*L");
    expect(r).toMatchObject({ status: "undetermined", finding: "undetermined" });
    expect(r.reason).toContain("the subscriber DOE, JANE");
    expect(r.reason).toContain("no coverage status (EB01 1–8)");
    expect(r.reason).toContain("B co-payment");
    expect(r.reason).toContain("L primary care provider");
    expect(r.reason).toMatch(/Ask the payer whether coverage is active on 2026-03-06/);
    expect(at()).toMatchObject({ status: "undetermined", finding: "undetermined" });
  });

  it("status rows for other services only (pharmacy, or a drug in EB13) do not say the visit is covered", () => {
    const r = at("EB*1*IND*88", "EB*1*IND*78********Y**HC:J9271");
    expect(r.finding).toBe("undetermined");
    expect(r.reason).toContain("Its status rows concern other services");
  });

  it("active and inactive rows for the visit's service types conflict: undetermined, naming both", () => {
    const r = at("EB*1*IND*30", "EB*6*IND*78");
    expect(r.finding).toBe("undetermined");
    expect(r.reason).toMatch(/both active .*EB\*1\*IND\*30.* and inactive .*EB\*6\*IND\*78/);
  });

  it("the row order does not change the row the message names (the most specific service type)", () => {
    const a = at("EB*1*IND*30**GOLD", "EB*1*IND*78**GOLD");
    const b = at("EB*1*IND*78**GOLD", "EB*1*IND*30**GOLD");
    expect(a.reason.replace(/ at segment \d+ of the 271 \(byte \d+\)/g, "")).toBe(b.reason.replace(/ at segment \d+ of the 271 \(byte \d+\)/g, ""));
    expect(a.reason).toContain("EB*1*IND*78**GOLD");
  });
});

describe("dates (DTP) and the date of service 2026-03-06", () => {
  it("346 plan begin after the visit: inactive on that date", () => {
    const r = at("DTP*346*D8*20260401", active);
    expect(r).toMatchObject({ status: "inactive", finding: "inactive-on-date", planBegin: "2026-04-01" });
    expect(r.reason).toMatch(/plan begins 2026-04-01 \(DTP\*346\*D8\*20260401 at segment \d+ of the 271/);
  });

  it("347 plan end before the visit: inactive on that date; on the visit day it is still active", () => {
    expect(at("DTP*346*D8*20260101", "DTP*347*D8*20260305", active)).toMatchObject({ status: "inactive", planBegin: "2026-01-01", planEnd: "2026-03-05" });
    expect(at("DTP*346*D8*20260101", "DTP*347*D8*20260306", active)).toMatchObject({ status: "active", planEnd: "2026-03-06" });
  });

  it("356 eligibility begin after and 357 eligibility end before the visit: inactive on that date", () => {
    expect(at("DTP*356*D8*20260307", active).finding).toBe("inactive-on-date");
    expect(at("DTP*357*D8*20260305", active).finding).toBe("inactive-on-date");
    expect(at("DTP*356*D8*20260101", "DTP*357*D8*20261231", active)).toMatchObject({ finding: "active", planBegin: "2026-01-01", planEnd: "2026-12-31" });
  });

  it("307 eligibility is the period the answer covers, not an end: a visit after it is not verified for that date (re-check), never coverage ended", () => {
    const r = at("DTP*307*RD8*20260101-20260228", active);
    expect(r).toMatchObject({ status: "undetermined", finding: "not-verified-for-date", planEnd: null, answerPeriod: { start: "2026-01-01", end: "2026-02-28" } });
    expect(r.reason).toMatch(/^Not verified for 2026-03-06/);
    expect(r.reason).toContain("Re-check eligibility for 2026-03-06");
    expect(r.reason).not.toMatch(/ended|inactive/);
    expect(at("DTP*307*D8*20260306", active)).toMatchObject({ finding: "active", answerPeriod: { start: "2026-03-06", end: "2026-03-06" } });
    expect(at("DTP*307*D8*20260302", active).finding).toBe("not-verified-for-date");
  });

  it("291 plan date, D8 or RD8, is also the period the answer covers", () => {
    expect(at("DTP*291*D8*20260306", active).finding).toBe("active");
    expect(at("DTP*291*RD8*20260301-20260331", active).finding).toBe("active");
    expect(at("DTP*291*RD8*20260101-20260131", active).finding).toBe("not-verified-for-date");
  });

  it("an inactive answer for other dates is not verified for the visit either", () => {
    expect(at("DTP*307*D8*20260302", "EB*6*IND*30").finding).toBe("not-verified-for-date");
  });

  it("benefit-level 291 bounds that benefit only: an EB*1 dated away from the visit does not make it active", () => {
    const r = at("EB*1*IND*30", "DTP*291*RD8*20250101-20251231");
    expect(r.finding).toBe("not-verified-for-date");
    expect(r.reason).toContain("bounded by their own dates");
    // …while another status row without its own dates still answers for the visit.
    expect(at("EB*1*IND*30", "DTP*291*RD8*20250101-20251231", "EB*1*IND*78").finding).toBe("active");
    // …and a deductible row dated away from the visit is not used.
    const amounts = at(active, "EB*C*IND*30***29*100.00", "DTP*291*RD8*20250101-20251231", "EB*C*IND*30***29*900.00");
    expect(amounts.deductibleRemaining).toBe("900.00");
  });

  it("a dependent without dates of its own takes its subscriber's plan dates", () => {
    const r = interpret([...HEAD, "HL*3*2*22*1", "NM1*IL*1*DOE*JANE****MI*W1", "DTP*347*D8*20260301", "HL*4*3*23*0", "TRN*2*T2*9123456789", "NM1*03*1*DOE*SAM", "EB*1*IND*30"]);
    expect(r).toMatchObject({ subject: "dependent", finding: "inactive-on-date", planEnd: "2026-03-01" });
  });
});
