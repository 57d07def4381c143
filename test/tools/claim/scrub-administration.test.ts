import { describe, expect, it } from "vitest";
import type { VisitRecordInput } from "../../../tools/claim/visit-record.js";
import { DOS, charge, mar, visit } from "../../helpers/visit-records.js";
import { codesOf, correctedLine, one, scrub } from "./scrub-helpers.js";

const at = (hhmm: string) => `${DOS}T${hhmm}:00-05:00`;

/** Pembrolizumab from 09:00 to `stop`, billed as `admin` lines. */
function infusion(stop: string | null, admin: VisitRecordInput["charges"]) {
  return visit((v) => {
    v.administrations = [mar({ stop: stop === null ? null : at(stop) })];
    v.charges = [v.charges[0]!, ...admin];
  });
}

/** A therapeutic infusion (no HCPCS drug line) as a second MAR entry. */
const therapeutic = (start: string, stop: string | null, site = "A") => mar({
  id: "mar-2", orderId: null, drugName: "dexamethasone infusion", hcpcs: null, ndc: null, drugClass: "therapeutic", dose: null,
  start: at(start), stop: stop === null ? null : at(stop), site, wasted: null, containersOpened: null,
});
const saline = (start: string, stop: string) => mar({
  id: "mar-3", orderId: null, drugName: "normal saline hydration", hcpcs: null, ndc: null, drugClass: "hydration", dose: null,
  start: at(start), stop: at(stop), wasted: null, containersOpened: null,
});

describe("administration codes from the MAR's times", () => {
  it("91 minutes: 96413 and one 96415 — a missing 96415 is ADMIN_NOT_CHARGED", () => {
    const r = scrub(infusion("10:31", [charge({ id: "c2", code: "96413", charge: "420.00", administrationIds: ["mar-1"] })]));
    const f = one(r, "ADMIN_NOT_CHARGED");
    expect(f.after).toMatchObject({ code: "96415", units: 1, charge: "95.00", diagnosisCodes: ["C34.90"] });
    expect(f.rationale).toContain("91 minutes");
    expect(codesOf(r)).toEqual(["ADMIN_NOT_CHARGED", "CLAIM_BALANCE"]);
  });

  it("91 minutes billed with 96413 + 96415 is clean", () => {
    const r = scrub(infusion("10:31", [
      charge({ id: "c2", code: "96413", charge: "420.00", administrationIds: ["mar-1"] }),
      charge({ id: "c3", code: "96415", charge: "95.00", administrationIds: ["mar-1"] }),
    ]));
    expect(r.findings).toEqual([]);
  });

  it("90 minutes: no 96415 — a captured one is ADMIN_CODE, removed", () => {
    const r = scrub(infusion("10:30", [
      charge({ id: "c2", code: "96413", charge: "420.00", administrationIds: ["mar-1"] }),
      charge({ id: "c3", code: "96415", charge: "95.00", administrationIds: ["mar-1"] }),
    ]));
    const f = one(r, "ADMIN_CODE");
    expect(f.lineId).toBe("c3");
    expect(f.after).toBeNull();
    expect(f.autoCorrectable).toBe(true);
    expect(correctedLine(r, "c3")).toBeUndefined();
  });

  it("a 15-minute infusion is a push: 96413 becomes 96409", () => {
    const r = scrub(infusion("09:15", [charge({ id: "c2", code: "96413", charge: "420.00", administrationIds: ["mar-1"] })]));
    const f = one(r, "ADMIN_CODE");
    expect(f.after).toMatchObject({ code: "96409", units: 1, charge: "230.00" });
    expect(f.rationale).toContain("infused 15 min, 15 or less");
    expect(f.confidence).toBe(1);
  });

  it("the wrong initial code: a therapeutic infusion after chemotherapy is sequential (96365 → 96367)", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar(), therapeutic("09:30", "10:00")];
      v.charges.push(charge({ id: "c3", code: "96365", charge: "260.00", administrationIds: ["mar-2"] }));
    }));
    const f = one(r, "ADMIN_CODE");
    expect(f.lineId).toBe("c3");
    expect(f.after).toMatchObject({ code: "96367", units: 1, charge: "110.00" });
  });

  it("sequential vs concurrent: an infusion running alongside is 96368, not 96367", () => {
    const sequential = scrub(visit((v) => {
      v.administrations = [mar(), therapeutic("09:30", "10:00")];
      v.charges.push(charge({ id: "c3", code: "96367", charge: "110.00", administrationIds: ["mar-2"] }));
    }));
    expect(sequential.findings).toEqual([]);
    const concurrent = scrub(visit((v) => {
      v.administrations = [mar(), therapeutic("09:05", "09:25")];
      v.charges.push(charge({ id: "c3", code: "96367", charge: "110.00", administrationIds: ["mar-2"] }));
    }));
    expect(one(concurrent, "ADMIN_CODE").after).toMatchObject({ code: "96368" });
  });

  it("a second initial at a separate IV site needs its distinct-service modifier", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar(), therapeutic("09:00", "10:00", "B")];
      v.charges.push(charge({ id: "c3", code: "96365", charge: "260.00", administrationIds: ["mar-2"] }));
    }));
    const f = one(r, "ADMIN_CODE");
    expect(f.after).toMatchObject({ code: "96365", modifiers: ["59"] });
    expect(codesOf(r)).toEqual(["ADMIN_CODE"]);
  });

  it("ADMIN_NOT_CHARGED: the chemotherapy administration itself", () => {
    const r = scrub(visit((v) => { v.charges = [v.charges[0]!]; }));
    expect(one(r, "ADMIN_NOT_CHARGED").after).toMatchObject({ code: "96413", units: 1 });
  });

  it("ADMIN_NOT_DOCUMENTED: a sequential infusion no MAR entry supports is held for a person", () => {
    const r = scrub(visit((v) => { v.charges.push(charge({ id: "c3", code: "96417", charge: "190.00" })); }));
    const f = one(r, "ADMIN_NOT_DOCUMENTED");
    expect(f.autoCorrectable).toBe(false);
    expect(f.after).toBeNull();
    expect(correctedLine(r, "c3")).toBeDefined();
    expect(codesOf(r)).toEqual(["ADMIN_NOT_DOCUMENTED"]);
  });

  it("ADMIN_TIME_MISSING: no stop time, no time-based line guessed, the other lines untouched", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar({ stop: null, dose: { value: 166, unit: "mg" }, wasted: { value: 34, unit: "mg" } }), saline("09:40", "10:40")];
      v.charges[0] = { ...v.charges[0]!, modifiers: [] };
      v.charges.push(
        charge({ id: "c3", code: "96361", charge: "60.00", administrationIds: ["mar-3"] }),
        charge({ id: "c4", code: "J9271", modifiers: ["JW"], units: 34, charge: "3046.03", ndc: "00006302602", ndcQuantity: 0.34, ndcUnit: "UN", administrationIds: ["mar-1"] }),
      );
    }));
    const f = one(r, "ADMIN_TIME_MISSING");
    expect(f.lineId).toBe("c2");
    expect(f.administrationId).toBe("mar-1");
    expect(f.autoCorrectable).toBe(false);
    expect(correctedLine(r, "c2")?.procedure.code).toBe("96413");
    expect(correctedLine(r, "c3")?.procedure.code).toBe("96361");
    // Only the NCCI sample's pair speaks about it, and it changes nothing.
    expect(r.findings.filter((x) => x.lineId === "c3").map((x) => [x.code, x.autoCorrectable])).toEqual([["NCCI_PTP", false]]);
    // The drug line does not depend on times: still checked.
    expect(one(r, "DRUG_UNITS").after).toMatchObject({ units: 166 });
  });

  it("ADMIN_TIME_MISSING: claim-level when no line was captured for the entry", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar({ stop: null })];
      v.charges = [v.charges[0]!];
    }));
    const f = one(r, "ADMIN_TIME_MISSING");
    expect(f.lineId).toBeNull();
    expect(codesOf(r)).toEqual(["ADMIN_TIME_MISSING"]);
  });

  it("ADMIN_TIME_MISSING: a stop time before the start is not used to remove or recode the line", () => {
    const r = scrub(visit((v) => { v.administrations = [mar({ stop: at("08:00") })]; }));
    const f = one(r, "ADMIN_TIME_MISSING");
    expect(f.lineId).toBe("c2");
    expect(f.rationale).toContain("times that cannot be used");
    expect(correctedLine(r, "c2")?.procedure.code).toBe("96413");
  });

  it("HYDRATION_CONCURRENT: hydration running with the chemotherapy is removed", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar(), saline("09:00", "10:00")];
      v.charges.push(charge({ id: "c3", code: "96361", charge: "60.00", administrationIds: ["mar-3"] }));
    }));
    const f = one(r, "HYDRATION_CONCURRENT");
    expect(f.after).toBeNull();
    expect(f.autoCorrectable).toBe(true);
    expect(correctedLine(r, "c3")).toBeUndefined();
  });

  it("hydration under 31 minutes is not reportable (ADMIN_CODE, removed)", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar(), saline("09:40", "10:10")];
      v.charges.push(charge({ id: "c3", code: "96361", charge: "60.00", administrationIds: ["mar-3"] }));
    }));
    const f = one(r, "ADMIN_CODE");
    expect(f.rationale).toContain("30 or less");
    expect(f.after).toBeNull();
  });

  it("sequential hydration of an hour after the infusion is 96361 — the NCCI sample's 96413/96361 pair is left to a coder", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar(), saline("09:40", "10:40")];
      v.charges.push(charge({ id: "c3", code: "96361", charge: "60.00", administrationIds: ["mar-3"] }));
    }));
    const f = one(r, "NCCI_PTP");
    expect(f.lineId).toBe("c3");
    expect(f.autoCorrectable).toBe(false);
    expect(f.rule.source).toBe("CMS NCCI PTP sample row 96413/96361");
    expect(codesOf(r)).toEqual(["NCCI_PTP"]);
  });
});
