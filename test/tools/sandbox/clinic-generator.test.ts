import { describe, expect, it } from "vitest";
import { loadPayerConfig } from "../../../tools/payer/sandbox/payer-config.js";
import { generateClinic } from "../../../tools/sandbox/clinic-generator.js";
import { bsaMosteller, creatinineClearance, orderedDose, vialsFor } from "../../../tools/sandbox/dosing.js";
import { loadRegimens } from "../../../tools/sandbox/regimens.js";
import { fixtureDrugFacts } from "./drug-facts-fixture.js";

const payers = loadPayerConfig();
const regimens = loadRegimens();
const make = (seed: number, extra: Partial<Parameters<typeof generateClinic>[0]> = {}) =>
  generateClinic({ patients: 40, weeks: 4, seed, asOf: "2026-03-02", ...extra }, payers, regimens, fixtureDrugFacts);

describe("synthetic clinic generator", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    expect(JSON.stringify(make(42))).toBe(JSON.stringify(make(42)));
    expect(JSON.stringify(make(43))).not.toBe(JSON.stringify(make(42)));
  });

  it("schedules every patient inside the range at the regimen's cycle length", () => {
    const clinic = make(7);
    expect(clinic.range).toEqual({ from: "2026-02-16", to: "2026-03-29" });
    const byPatient = new Map<string, string[]>();
    for (const t of clinic.truth) byPatient.set(t.patientId, [...(byPatient.get(t.patientId) ?? []), t.dateOfService]);
    expect(byPatient.size).toBe(40);
    const orders = clinic.bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === "MedicationRequest");
    for (const [pid, dates] of byPatient) {
      const cycle = ((orders.find((o) => (o.subject as { reference: string }).reference === `Patient/${pid}`)!.dosageInstruction as { timing: { repeat: { period: number } } }[])[0]!.timing.repeat.period);
      for (let i = 1; i < dates.length; i += 1) expect((Date.parse(dates[i]!) - Date.parse(dates[i - 1]!)) / 86_400_000).toBe(cycle);
      for (const d of dates) expect(d >= clinic.range.from && d <= clinic.range.to).toBe(true);
    }
  });

  it("writes a MAR only for visits before asOf, with waste only on single-dose drugs", () => {
    const clinic = make(11, { defects: { missingWasteRecord: 0, missingStopTime: 0, wrongNdc: 0 } });
    const mar = clinic.bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === "MedicationAdministration");
    expect(mar.length).toBeGreaterThan(0);
    for (const m of mar) {
      expect(String((m.effectivePeriod as { start: string }).start) < "2026-03-02").toBe(true);
      expect((m.effectivePeriod as { end?: string }).end).toBeDefined();
      const waste = (m.extension as { url: string; valueQuantity?: { value: number } }[]).find((e) => e.url.endsWith("wasted-amount"));
      const drug = (m.medicationCodeableConcept as { text: string }).text;
      expect(waste === undefined).toBe(!fixtureDrugFacts(drug).singleDose);
    }
    expect(clinic.truth.filter((t) => t.dateOfService >= "2026-03-02").every((t) => !t.defects.includes("missing-stop-time"))).toBe(true);
  });

  it("plants each defect at its rate and records it in the truth", () => {
    const none = make(5, { defects: { missingStopTime: 0, missingWasteRecord: 0, expiredAuth: 0, noAuthOnFile: 0, wrongNdc: 0, coverageTerminated: 0, pharmacyBenefitBuyAndBill: 0 } });
    expect(none.truth.every((t) => t.defects.length === 0)).toBe(true);
    const all = make(5, { patients: 120, defects: { missingStopTime: 1, missingWasteRecord: 1, expiredAuth: 0.5, noAuthOnFile: 0.5, wrongNdc: 0.05, coverageTerminated: 1, pharmacyBenefitBuyAndBill: 1 } });
    const seen = new Set(all.truth.flatMap((t) => t.defects));
    for (const d of ["missing-stop-time", "missing-waste-record", "expired-auth", "no-auth-on-file", "wrong-ndc", "coverage-terminated", "pharmacy-benefit-buy-and-bill"]) {
      expect(seen, d).toContain(d);
    }
    // Coverage terminated: the payer ends it, the chart still shows it active.
    const terminated = all.truth.find((t) => t.defects.includes("coverage-terminated"))!;
    const member = all.members.find((m) => all.bundle.entry.some((e) => e.resource.id === `${terminated.patientId}-cov` && e.resource.subscriberId === m.memberId))!;
    expect(member.coverageEnd! < terminated.dateOfService).toBe(true);
  });

  it("covers some commercial patients as a spouse on the subscriber's policy, from a stream of its own", () => {
    const clinic = make(21, { patients: 120 });
    const dependents = clinic.dependents ?? [];
    expect(dependents.length).toBeGreaterThan(3);
    for (const d of dependents) {
      const coverage = clinic.bundle.entry.map((e) => e.resource).find((r) => r.resourceType === "Coverage" && r.subscriberId === d.memberId)!;
      const pid = (coverage.beneficiary as { reference: string }).reference.slice("Patient/".length);
      const patient = clinic.bundle.entry.map((e) => e.resource).find((r) => r.resourceType === "Patient" && r.id === pid)!;
      // The chart: relationship spouse, the subscriber a contained RelatedPerson; the payer: the subscriber is the member, the patient a dependent.
      expect(coverage).toMatchObject({ relationship: { coding: [{ code: "spouse" }] }, subscriber: { reference: "#subscriber" }, contained: [{ resourceType: "RelatedPerson", id: "subscriber" }] });
      const member = clinic.members.find((m) => m.memberId === d.memberId)!;
      expect([member.lastName, member.firstName]).not.toEqual([d.lastName, d.firstName]);
      expect(d).toMatchObject({ relationship: "01", birthDate: patient.birthDate, firstName: (patient.name as { given: string[] }[])[0]!.given[0] });
      expect(clinic.truth.filter((t) => t.patientId === pid).every((t) => t.relationship === "spouse" && t.payerType === "commercial")).toBe(true);
    }
    // Everything else the seed decides is what it was without dependents.
    const without = make(21, { patients: 120, dependentShare: 0 });
    expect(without.dependents).toEqual([]);
    const rest = (c: typeof clinic) => c.bundle.entry.map((e) => e.resource).filter((r) => r.resourceType !== "Coverage");
    expect(rest(clinic)).toEqual(rest(without));
    expect(clinic.authorizations).toEqual(without.authorizations);
    expect(clinic.truth.map(({ relationship: _r, ...t }) => t)).toEqual(without.truth.map(({ relationship: _r, ...t }) => t));
  });

  it("authorizations cover future visits unless planted as expired", () => {
    const clinic = make(9, { defects: { expiredAuth: 0, noAuthOnFile: 0 } });
    const needing = clinic.truth.flatMap((t) => t.drugs).filter((d) => d.authRequired);
    expect(needing.length).toBeGreaterThan(0);
    expect(needing.every((d) => d.authValid === true)).toBe(true);
  });

  // Regression: a patient whose first visit is weeks after "today" got an expired authorization
  // ending before it started, which the clinic's ledger refuses (and the seed failed).
  it("never plants an authorization that ends before it starts", () => {
    const clinic = generateClinic({ patients: 400, weeks: 4, seed: 3, asOf: "2026-03-02", historyWeeks: 1, defects: { expiredAuth: 0.95, noAuthOnFile: 0 } }, payers, regimens, fixtureDrugFacts);
    expect(clinic.authorizations.length).toBeGreaterThan(100);
    expect(clinic.authorizations.filter((a) => a.end < a.start)).toEqual([]);
  });
});

describe("dosing rules used by the generator", () => {
  it("Mosteller BSA and Cockcroft–Gault clearance (capped at 125)", () => {
    expect(bsaMosteller(170, 70)).toBe(1.82);
    expect(creatinineClearance(60, 80, 1.0, false)).toBe(89);
    expect(creatinineClearance(45, 120, 0.6, false)).toBe(125);
  });
  it("flat, mg/kg, mg/m² and AUC doses", () => {
    const p = { weightKg: 70, bsaM2: 1.9, crcl: 90 };
    expect(orderedDose({ basis: "flat", amount: 200, unit: "mg" }, p)).toBe(200);
    expect(orderedDose({ basis: "kg", amount: 5, unit: "mg" }, p)).toBe(350);
    expect(orderedDose({ basis: "m2", amount: 175, unit: "mg" }, p)).toBe(333);
    expect(orderedDose({ basis: "auc", amount: 5, unit: "mg" }, p)).toBe(575);
  });
  it("opens the containers that waste least", () => {
    expect(vialsFor(350, [{ ndc11: "a", contentMg: 100 }, { ndc11: "b", contentMg: 400 }])).toEqual({ ndc11: "b", count: 1, wasteMg: 50 });
    expect(vialsFor(200, [{ ndc11: "a", contentMg: 100 }])).toEqual({ ndc11: "a", count: 2, wasteMg: 0 });
  });
});
