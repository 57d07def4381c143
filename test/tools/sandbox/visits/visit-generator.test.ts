import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { deriveAdministrationCodes } from "../../../../tools/coding/administration-codes.js";
import { billingUnits } from "../../../../tools/coding/billing-units.js";
import { revenueCodeFor } from "../../../../tools/coding/claim-context.js";
import { loadCodingTables } from "../../../../tools/coding/coding-tables.js";
import { VisitRecord, type CapturedCharge } from "../../../../tools/claim/visit-record.js";
import { administrationEvents, captureCharges } from "../../../../tools/sandbox/visits/capture.js";
import { ADMINISTRATION_PRICES, DRUG_MARKUP } from "../../../../tools/sandbox/visits/charge-master.js";
import { CHARGE_ERROR_KINDS, FINDING_FOR, type PlantedError } from "../../../../tools/sandbox/visits/charge-errors.js";
import { Random } from "../../../../tools/sandbox/prng.js";
import { cleanVisit, generateVisitRecords, plantContext } from "../../../../tools/sandbox/visits/generate.js";
import { plant } from "../../../../tools/sandbox/visits/plant.js";

const tables = loadCodingTables();
const ctx = plantContext(tables);
const TODAY = "2026-03-02";
const clean = (seed: number, count = 150) => generateVisitRecords({ count, seed, today: TODAY, tables, rates: { default: 0 } });
const isAdminCode = (code: string) => /^\d{5}$/.test(code);
const key = (c: CapturedCharge) => JSON.stringify({ ...c, id: undefined });

/** Every published rule a scrubber applies, recomputed from the MAR with the coding toolkit; returns what is wrong. */
function problems(record: VisitRecord): string[] {
  const out: string[] = [];
  const medicare = record.coverage.payerType === "medicare";
  const dxOnVisit = new Set(record.diagnoses.map((d) => d.icd10));
  for (const a of record.administrations) {
    const drug = a.hcpcs === null ? undefined : tables.drugs.byCode(a.hcpcs);
    const order = record.orders.find((o) => o.id === a.orderId);
    const lines = record.charges.filter((c) => !isAdminCode(c.code) && c.administrationIds.includes(a.id));
    if (drug === undefined || order?.supply === "white-bag") {
      if (lines.length > 0) out.push(`${a.id}: drug line for a drug the clinic does not bill`);
      continue;
    }
    const units = billingUnits(drug.hcpcs as string, `${a.dose?.value} ${a.dose?.unit}`, drug.billingUnit!).billingUnits;
    const main = lines.filter((c) => !c.modifiers.includes("JW"));
    const jw = lines.filter((c) => c.modifiers.includes("JW"));
    if (main.length !== 1) { out.push(`${a.id}: ${main.length} drug lines`); continue; }
    const line = main[0]!;
    if (line.units !== units) out.push(`${a.id}: units ${line.units}, administered dose gives ${units}`);
    const pkg = tables.crosswalk.entries(line.ndc ?? "", record.dateOfService).find((e) => e.hcpcs === drug.hcpcs);
    if (line.ndc === null || !/^\d{11}$/.test(line.ndc) || pkg === undefined) out.push(`${a.id}: NDC ${String(line.ndc)} not an 11-digit NDC of ${drug.hcpcs}`);
    if (line.ndc !== a.ndc) out.push(`${a.id}: NDC differs from the MAR`);
    for (const l of lines) {
      if (pkg?.billingUnitsPerPackage != null && Math.abs((l.ndcQuantity ?? 0) * pkg.billingUnitsPerPackage - l.units) > 0.01 * pkg.billingUnitsPerPackage) out.push(`${l.id}: CTP quantity ${l.ndcQuantity}`);
      if (l.ndcUnit !== "UN") out.push(`${l.id}: CTP unit`);
      if (JSON.stringify(l.diagnosisCodes) !== JSON.stringify(order?.diagnosisCodes.slice(0, 4))) out.push(`${l.id}: dx pointers`);
    }
    if (drug.singleDose && medicare) {
      const opened = (a.containersOpened ?? 0) * (pkg?.billingUnitsPerPackage ?? 0);
      const waste = opened - units;
      if (waste > 0 && (jw.length !== 1 || jw[0]!.units !== waste)) out.push(`${a.id}: waste ${waste} units, JW lines ${jw.map((j) => j.units).join()}`);
      if (waste > 0 && a.wasted === null) out.push(`${a.id}: JW without a waste record`);
      if (waste === 0 && !line.modifiers.includes("JZ")) out.push(`${a.id}: JZ missing`);
    } else if (lines.some((l) => l.modifiers.includes("JW") || l.modifiers.includes("JZ"))) out.push(`${a.id}: JW/JZ where not required`);
  }
  // Administration lines: what the toolkit derives from the MAR, line for line.
  const derived = deriveAdministrationCodes(administrationEvents(record.administrations));
  if (derived.findings.some((f) => f.code === "MISSING_STOP_TIME" || f.code === "INVALID_TIMES")) out.push("MAR has an administration without usable times");
  const got = record.charges.filter((c) => isAdminCode(c.code)).map((c) => `${c.code}x${c.units}[${c.modifiers.join()}]`).sort();
  const want = derived.lines.map((l) => `${l.cpt}x${l.units}[${l.modifiers.join()}]`).sort();
  if (got.join() !== want.join()) out.push(`administration lines ${got.join()} vs derived ${want.join()}`);
  for (const c of record.charges) {
    if (c.administrationIds.length === 0 || !c.administrationIds.every((id) => record.administrations.some((a) => a.id === id))) out.push(`${c.id}: not backed by the MAR`);
    if (!c.diagnosisCodes.every((d) => dxOnVisit.has(d)) || c.diagnosisCodes.length === 0) out.push(`${c.id}: dx not on the visit`);
    const rev = record.siteOfCare === "hospital-outpatient" ? revenueCodeFor(isAdminCode(c.code) ? { cpt: c.code } : { hcpcs: c.code }) : null;
    if (c.revenueCode !== rev) out.push(`${c.id}: revenue code ${String(c.revenueCode)} vs ${String(rev)}`);
    const asp = tables.asp.priceRow(c.code, c.serviceDate).row?.paymentLimit;
    const price = isAdminCode(c.code) ? new Decimal(ADMINISTRATION_PRICES[c.code]!).times(c.units) : new Decimal(asp!).times(DRUG_MARKUP).times(c.units);
    if (price.toFixed(2) !== c.charge) out.push(`${c.id}: charge ${c.charge} vs ${price.toFixed(2)}`);
  }
  const keys = record.charges.map((c) => `${c.code}|${c.modifiers.join()}|${c.administrationIds.join()}`);
  if (new Set(keys).size !== keys.length) out.push("duplicate lines");
  const edits = tables.edits.check(record.charges.map((c) => ({ code: c.code, modifiers: c.modifiers, units: c.units, dateOfService: c.serviceDate })));
  for (const e of edits) out.push(`${e.rule}: ${e.message}`);
  return out;
}

describe("sandbox after the visit: generated visits", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = generateVisitRecords({ count: 60, seed: 5, today: TODAY, tables });
    expect(JSON.stringify(a)).toBe(JSON.stringify(generateVisitRecords({ count: 60, seed: 5, today: TODAY, tables })));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(generateVisitRecords({ count: 60, seed: 6, today: TODAY, tables })));
    expect(a).toHaveLength(60);
  });

  it("captures clean charges right by the published rules over many seeds (nothing for a scrubber to find)", () => {
    let lines = 0;
    const seen = { jw: 0, jz: 0, hopd: 0, whiteBag: 0 };
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      for (const { record, truth } of clean(seed)) {
        expect(truth).toEqual([]);
        expect(() => VisitRecord.parse(record)).not.toThrow();
        expect(record.dateOfService < TODAY).toBe(true);
        expect(problems(record), record.visitId).toEqual([]);
        lines += record.charges.length;
        seen.jw += record.charges.filter((c) => c.modifiers.includes("JW")).length;
        seen.jz += record.charges.filter((c) => c.modifiers.includes("JZ")).length;
        seen.hopd += record.siteOfCare === "hospital-outpatient" ? 1 : 0;
        seen.whiteBag += record.orders.filter((o) => o.supply === "white-bag").length;
      }
    }
    // The rules above were exercised, not vacuously true.
    expect(lines).toBeGreaterThan(2000);
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(5);
  });

  it("the rule checker itself catches a wrong line (the clean check can fail)", () => {
    const { record } = clean(1, 5)[0]!;
    const drug = record.charges.find((c) => !isAdminCode(c.code))!;
    expect(problems({ ...record, charges: record.charges.map((c) => (c.id === drug.id ? { ...c, units: c.units + 1 } : c)) }).length).toBeGreaterThan(0);
  });

  it("plants errors at the default rates in roughly 20–30 % of visits, every kind reachable", () => {
    const visits = generateVisitRecords({ count: 1500, seed: 11, today: TODAY, tables });
    const share = visits.filter((v) => v.truth.length > 0).length / visits.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
    for (const v of visits) for (const t of v.truth) expect(t.code).toBe(FINDING_FOR[t.kind]);
  });
});

/** The planted record with the truth's fixes applied. */
function fixed(record: VisitRecord, truth: PlantedError[]): VisitRecord {
  const r = structuredClone(record);
  for (const t of truth) {
    if (t.expected.kind === "documentation") {
      const a = r.administrations.find((x) => x.id === t.administrationId)!;
      (a as Record<string, unknown>)[t.expected.field] = t.expected.value;
    } else {
      r.charges = [...r.charges.filter((c) => c.id !== t.chargeId), ...t.expected.lines];
    }
  }
  return r;
}

describe("each planted error changes exactly what its truth says", () => {
  for (const kind of CHARGE_ERROR_KINDS) {
    it(kind, () => {
      const rates = { default: 0, perKind: { [kind]: 1 } };
      let planted = 0;
      for (const seed of [21, 22, 23]) {
        const base = clean(seed, 120);
        const visits = generateVisitRecords({ count: 120, seed, today: TODAY, tables, rates });
        visits.forEach(({ record, truth }, i) => {
          const before = base[i]!.record;
          expect(record.visitId).toBe(before.visitId);
          if (truth.length === 0) {
            expect(record).toEqual(before);
            return;
          }
          planted += 1;
          expect(truth).toHaveLength(1);
          const t = truth[0]!;
          expect(t.kind).toBe(kind);
          expect(t.code).toBe(FINDING_FOR[kind]);
          const plantedLine = record.charges.find((c) => c.id === t.chargeId);
          if (t.chargeId !== null) expect(plantedLine).toBeDefined();
          // Lines other than the one named are untouched.
          const ownIds = new Set([t.chargeId, ...(t.expected.kind === "lines" ? t.expected.lines.map((l) => l.id) : [])]);
          expect(record.charges.filter((c) => !ownIds.has(c.id))).toEqual(before.charges.filter((c) => !ownIds.has(c.id)));
          if (t.expected.kind === "lines") {
            if (t.chargeId === null) {
              // A missing line: the expected line(s) are what a clean capture had.
              for (const l of t.expected.lines) expect(before.charges).toContainEqual(l);
              for (const l of t.expected.lines) expect(record.charges.some((c) => c.id === l.id)).toBe(false);
            } else if (t.expected.lines.length === 0) {
              expect(before.charges.some((c) => c.id === t.chargeId)).toBe(false);
            } else {
              expect(plantedLine).not.toEqual(t.expected.lines[0]);
            }
          } else {
            const a = record.administrations.find((x) => x.id === t.administrationId)!;
            expect((a as Record<string, unknown>)[t.expected.field]).toBeNull();
            expect((before.administrations.find((x) => x.id === a.id) as Record<string, unknown>)[t.expected.field]).toEqual(t.expected.value);
          }
          // Applying the truth's fix gives what a correct capture makes of the (fixed) chart.
          const after = fixed(record, truth);
          const recaptured = captureCharges(after, ctx).map(key).sort();
          if (kind === "ncci-no-modifier") {
            // The fix keeps the documented sequential hydration and adds the distinct-service modifier NCCI allows.
            expect(record.charges.find((c) => c.id === t.chargeId)!.modifiers).toEqual([]);
            expect(after.charges.find((c) => c.id === t.chargeId)!.modifiers).toEqual(["59"]);
            const check = (r: VisitRecord) => tables.edits.check(r.charges.map((c) => ({ code: c.code, modifiers: c.modifiers, units: c.units, dateOfService: c.serviceDate })));
            expect(check(record).map((e) => e.codes.join("/"))).toEqual(["96413/96361"]);
            expect(check(after)).toEqual([]);
          } else {
            expect(after.charges.map(key).sort()).toEqual(recaptured);
          }
          // MAR entries other than the one named are untouched (hydration may be added).
          expect(record.administrations.filter((a) => a.id !== t.administrationId && a.drugClass !== "hydration")).toEqual(before.administrations.filter((a) => a.id !== t.administrationId));
          expect(() => VisitRecord.parse(record)).not.toThrow();
        });
      }
      expect(planted, `${kind} planted`).toBeGreaterThan(0);
    });
  }
});

describe("building blocks for hand-written cases", () => {
  it("plant() returns null where the visit offers no place, and plants into a copy where it does", () => {
    const visits = clean(31, 80);
    const noJz = visits.find((v) => !v.record.charges.some((c) => c.modifiers.includes("JZ")))!.record;
    expect(plant(noJz, "jz-missing", new Random(1), ctx)).toBeNull();
    const office = visits.find((v) => v.record.siteOfCare === "physician-office")!.record;
    expect(plant(office, "wrong-revenue-code", new Random(1), ctx)).toBeNull();
    const withJz = visits.find((v) => v.record.charges.some((c) => c.modifiers.includes("JZ")))!.record;
    const snapshot = JSON.stringify(withJz);
    const out = plant(withJz, "jz-missing", new Random(1), ctx)!;
    expect(JSON.stringify(withJz)).toBe(snapshot);
    expect(out.truth).toMatchObject({ code: "JZ_MISSING", kind: "jz-missing" });
    expect(out.record.charges.find((c) => c.id === out.truth.chargeId)!.modifiers).not.toContain("JZ");
  });

  it("cleanVisit recaptures an edited chart: a longer infusion adds its additional hour", () => {
    const { record } = clean(32, 80).find((v) => v.record.charges.some((c) => c.code === "96413") && !v.record.charges.some((c) => c.code === "96415"))!;
    const line = record.charges.find((c) => c.code === "96413")!;
    const a = record.administrations.find((x) => x.id === line.administrationIds[0])!;
    const edited = structuredClone(record);
    const target = edited.administrations.find((x) => x.id === a.id)!;
    target.stop = new Date(Date.parse(a.start!) + 91 * 60_000).toISOString();
    const recaptured = cleanVisit(edited, ctx);
    expect(recaptured.charges.filter((c) => c.code === "96415").map((c) => c.units)).toEqual([1]);
    expect(problems(recaptured)).toEqual([]);
  });
});
