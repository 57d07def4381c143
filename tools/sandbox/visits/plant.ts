/**
 * Planting charge-capture errors into a clean visit (see `charge-errors.ts` for the kinds and
 * their finding codes). Each planter works on a copy, touches only lines and MAR entries no
 * earlier planter touched (so every truth entry stays exactly true), and returns null when the
 * visit offers no place for its error (a JZ cannot go missing where no line carries one).
 */
import { Decimal } from "decimal.js";
import { billingUnits } from "../../coding/billing-units.js";
import { revenueCodeFor } from "../../coding/claim-context.js";
import type { DoseUnit } from "../../coding/dose.js";
import type { CodeEdits } from "../../coding/edits.js";
import type { CapturedCharge, FindingCode, VisitRecord } from "../../claim/visit-record.js";
import type { Random } from "../prng.js";
import { administrationLines, billableDrug, chargeId, drugLines, ndcQuantityFor, packageOf, unitsFor, type CaptureContext } from "./capture.js";
import { CHARGE_ERROR_KINDS, FINDING_FOR, rateOf, type ChargeErrorKind, type ChargeErrorRates, type ExpectedFix, type PlantedError } from "./charge-errors.js";

/** What planting needs: charge capture's context and the code edits (for the MUE error). */
export interface PlantContext extends CaptureContext {
  edits: CodeEdits | null;
}

/** Lines and MAR entries an earlier planted error owns. */
export interface Touched {
  charges: Set<string>;
  administrations: Set<string>;
}

type Administration = VisitRecord["administrations"][number];
type Planted = { record: VisitRecord; truth: PlantedError };
type Planter = (record: VisitRecord, rng: Random, ctx: PlantContext, touched: Touched) => Planted | null;

const isAdminCode = (code: string) => /^\d{5}$/.test(code);
const clone = (r: VisitRecord): VisitRecord => structuredClone(r);
const free = (t: Touched, c: CapturedCharge) => !t.charges.has(c.id) && c.administrationIds.every((a) => !t.administrations.has(a));
const adminOf = (r: VisitRecord, id: string | undefined) => r.administrations.find((a) => a.id === id);
/** Drug lines of one MAR entry. */
const drugLinesOf = (r: VisitRecord, administrationId: string) => r.charges.filter((c) => !isAdminCode(c.code) && c.administrationIds.includes(administrationId));
/** A drug line that stands alone (no JW/JZ, no sibling line for its MAR entry). */
const lone = (r: VisitRecord, c: CapturedCharge) => !isAdminCode(c.code) && c.modifiers.length === 0 && c.administrationIds.length === 1 && drugLinesOf(r, c.administrationIds[0] as string).length === 1;
const lines = (...l: CapturedCharge[]): ExpectedFix => ({ kind: "lines", lines: l.map((x) => structuredClone(x)) });
const replace = (r: VisitRecord, c: CapturedCharge) => { r.charges = r.charges.map((x) => (x.id === c.id ? c : x)); };
const newChargeId = (r: VisitRecord) => {
  for (let n = r.charges.length + 1; ; n += 1) if (!r.charges.some((c) => c.id === chargeId(r.visitId, n))) return chargeId(r.visitId, n);
};
const truth = (kind: ChargeErrorKind, chargeId: string | null, administrationId: string | null, expected: ExpectedFix, note: string, alsoFlags: FindingCode[] = []): PlantedError =>
  ({ code: FINDING_FOR[kind], kind, chargeId, administrationId, expected, alsoFlags, note });

/** Units on a drug line changed, its charge and NDC quantity following them (charge capture keeps a line consistent). */
function withUnits(r: VisitRecord, c: CapturedCharge, units: number, ctx: PlantContext): CapturedCharge {
  const a = adminOf(r, c.administrationIds[0]);
  const facts = a === undefined ? null : billableDrug(r, a, ctx.drugs);
  const pkg = facts === null || a === undefined ? null : packageOf(facts, a.ndc);
  return { ...c, units, charge: ctx.chargeMaster.price(c.code, units, r.dateOfService), ndcQuantity: pkg === null ? c.ndcQuantity : ndcQuantityFor(units, pkg.billingUnitsPerPackage) };
}

/** The administration lines the MAR supports, as comparable keys, leaving out lines of `except`. */
function derivedKeys(r: VisitRecord, ctx: PlantContext, except: string[]): string[] {
  return administrationLines(r, ctx).filter((l) => !l.administrationIds.some((id) => except.includes(id)))
    .map((l) => `${l.code}|${l.units}|${l.modifiers.join(",")}|${l.administrationIds.join(",")}`).sort();
}
const sameDerived = (before: VisitRecord, after: VisitRecord, ctx: PlantContext, except: string[]) =>
  derivedKeys(before, ctx, except).join(";") === derivedKeys(after, ctx, except).join(";");

function exactUnits(r: VisitRecord, c: CapturedCharge, ctx: PlantContext): number | null {
  const a = adminOf(r, c.administrationIds[0]);
  const facts = a === undefined ? null : billableDrug(r, a, ctx.drugs);
  if (a?.dose == null || facts === null) return null;
  return Number(billingUnits(facts.hcpcs, `${a.dose.value} ${a.dose.unit}`, { amount: new Decimal(facts.billingUnit.amount), unit: facts.billingUnit.unit as DoseUnit }).exactUnits);
}

/** A hydration MAR entry (normal saline, no HCPCS: its line is the administration code alone). */
function hydration(r: VisitRecord, start: number, minutes: number, site: string | null): Administration {
  const n = r.administrations.filter((a) => a.drugClass === "hydration").length + 1;
  const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
  const anyAdmin = r.administrations[0];
  return {
    id: `${r.visitId}-hyd${n}`, encounterId: anyAdmin?.encounterId ?? r.visitId, patientId: r.patient.id, orderId: null,
    drugName: "normal saline hydration", hcpcs: null, ndc: null, drugClass: "hydration", dose: { value: 500, unit: "mL" }, route: "iv-infusion",
    start: iso(start), stop: iso(start + minutes * 60_000), site, wasted: null, containersOpened: null, pump: false, acquired340b: false, concentration: null,
  };
}

function hydrationLine(r: VisitRecord, h: Administration, ctx: PlantContext, modifiers: string[]): CapturedCharge {
  return {
    id: newChargeId(r), code: "96361", modifiers, units: 1, charge: ctx.chargeMaster.price("96361", 1, r.dateOfService),
    revenueCode: r.siteOfCare === "hospital-outpatient" ? revenueCodeFor({ cpt: "96361" }) : null, ndc: null, ndcQuantity: null, ndcUnit: null,
    diagnosisCodes: r.diagnoses[0] === undefined ? [] : [r.diagnoses[0].icd10], administrationIds: [h.id], serviceDate: r.dateOfService,
  };
}

const COMORBIDITIES = [{ icd10: "I10", display: "Essential (primary) hypertension" }, { icd10: "E11.9", display: "Type 2 diabetes mellitus without complications" }] as const;
const WRONG_REVENUE: Record<string, string> = { "0636": "0250", "0335": "0260", "0331": "0260", "0260": "0250", "0250": "0636" };
const WRONG_INITIAL: Record<string, string> = { "96413": "96365", "96409": "96374" };

const PLANTERS: Record<ChargeErrorKind, Planter> = {
  "stop-time-missing"(rec, rng, ctx, t) {
    const candidates = rec.administrations.filter((a) => a.route === "iv-infusion" && a.stop !== null && !t.administrations.has(a.id)
      && rec.charges.some((c) => isAdminCode(c.code) && c.administrationIds.includes(a.id) && free(t, c)));
    for (const a of shuffled(candidates, rng)) {
      const r = clone(rec);
      const target = adminOf(r, a.id) as Administration;
      target.stop = null;
      if (!sameDerived(rec, r, ctx, [a.id])) continue;
      const line = rec.charges.find((c) => isAdminCode(c.code) && c.administrationIds.includes(a.id)) as CapturedCharge;
      return { record: r, truth: truth("stop-time-missing", line.id, a.id, { kind: "documentation", field: "stop", value: a.stop }, `${a.drugName}: stop time missing on the MAR, ${line.code} billed`) };
    }
    return null;
  },
  "units-from-ordered-dose"(rec, rng, ctx, t) {
    for (const c of shuffled(rec.charges.filter((x) => free(t, x) && lone(rec, x)), rng)) {
      const a = adminOf(rec, c.administrationIds[0]);
      const order = rec.orders.find((o) => o.id === a?.orderId);
      if (a === undefined || a.route !== "iv-infusion" || a.dose === null || order?.dose == null) continue;
      const facts = billableDrug(rec, a, ctx.drugs);
      if (facts === null) continue;
      const factor = 0.75 + rng.int(0, 15) / 100;
      const given = { value: Math.round(order.dose.value * factor), unit: order.dose.unit };
      if (given.value <= 0 || unitsFor(facts, given) === unitsFor(facts, order.dose)) continue;
      const r = clone(rec);
      const target = adminOf(r, a.id) as Administration;
      target.dose = given;
      const correct = drugLines(r, target, ctx);
      if (correct.length !== 1) continue;
      const expected = { ...(correct[0] as Omit<CapturedCharge, "id">), id: c.id };
      replace(r, withUnits(r, c, unitsFor(facts, order.dose), ctx));
      return { record: r, truth: truth("units-from-ordered-dose", c.id, a.id, lines(expected), `${a.drugName}: ${given.value} ${given.unit} given (dose reduced), units billed from the ordered ${order.dose.value} ${order.dose.unit}`, ["NDC_QUANTITY", "WASTE_VIAL_MISMATCH"]) };
    }
    return null;
  },
  "jw-without-waste-record"(rec, rng, _ctx, t) {
    const c = pick(rec.charges.filter((x) => free(t, x) && x.modifiers.includes("JW") && adminOf(rec, x.administrationIds[0])?.wasted != null), rng);
    if (c === null) return null;
    const r = clone(rec);
    const a = adminOf(r, c.administrationIds[0]) as Administration;
    const wasted = a.wasted;
    a.wasted = null;
    return { record: r, truth: truth("jw-without-waste-record", c.id, a.id, { kind: "documentation", field: "wasted", value: wasted }, `${a.drugName}: JW line billed, no wasted amount on the MAR`) };
  },
  "hydration-concurrent"(rec, rng, ctx, t) {
    const candidates = rec.administrations.filter((a) => (a.drugClass === "chemotherapy" || a.drugClass === "biologic") && a.route === "iv-infusion" && a.start !== null && a.stop !== null
      && !t.administrations.has(a.id) && (Date.parse(a.stop) - Date.parse(a.start)) >= 45 * 60_000);
    const a = pick(candidates, rng);
    if (a === null) return null;
    const start = Date.parse(a.start as string) + 5 * 60_000;
    const minutes = Math.min(rng.int(35, 90), Math.floor((Date.parse(a.stop as string) - start) / 60_000));
    if (minutes <= 30) return null;
    const r = clone(rec);
    const h = hydration(r, start, minutes, a.site);
    r.administrations.push(h);
    if (!sameDerived(rec, r, ctx, [h.id])) return null;
    const line = hydrationLine(r, h, ctx, []);
    r.charges.push(line);
    const also: FindingCode[] = r.charges.some((c) => c.code === "96413") ? ["NCCI_PTP"] : [];
    return { record: r, truth: truth("hydration-concurrent", line.id, h.id, lines(), `hydration ${minutes} min during ${a.drugName}, billed 96361`, also) };
  },
  "ncci-no-modifier"(rec, rng, ctx, t) {
    const initial = rec.charges.find((c) => c.code === "96413" && c.modifiers.length === 0);
    if (initial === undefined || !free(t, initial) || rec.administrations.some((a) => a.start === null || a.stop === null)) return null;
    const end = Math.max(...rec.administrations.map((a) => Date.parse(a.stop as string)));
    const r = clone(rec);
    const h = hydration(r, end + 5 * 60_000, rng.int(45, 90), rec.administrations[0]?.site ?? "A");
    r.administrations.push(h);
    const derived = administrationLines(r, ctx).find((l) => l.administrationIds.includes(h.id));
    if (derived?.code !== "96361" || derived.units !== 1 || !sameDerived(rec, r, ctx, [h.id])) return null;
    const line = hydrationLine(r, h, ctx, []);
    r.charges.push(line);
    t.charges.add(initial.id);
    return { record: r, truth: truth("ncci-no-modifier", line.id, h.id, lines({ ...line, modifiers: ["59"] }), "sequential hydration after chemotherapy billed 96361 without 59 (NCCI pair 96413/96361, modifier indicator 1)") };
  },
  "bsa-rounding"(rec, rng, ctx, t) {
    for (const c of shuffled(rec.charges.filter((x) => free(t, x) && lone(rec, x)), rng)) {
      const exact = exactUnits(rec, c, ctx);
      if (exact === null || Math.floor(exact) < 1 || exact - Math.floor(exact) <= 0 || exact - Math.floor(exact) >= 0.5) continue;
      const r = clone(rec);
      replace(r, withUnits(r, c, Math.round(exact), ctx));
      return { record: r, truth: truth("bsa-rounding", c.id, c.administrationIds[0] ?? null, lines(c), `${c.code}: ${exact} units rounded to ${Math.round(exact)} instead of up to ${c.units}`, ["NDC_QUANTITY", "WASTE_VIAL_MISMATCH"]) };
    }
    return null;
  },
  "mg-mcg-mixup"(rec, rng, ctx, t) {
    for (const c of shuffled(rec.charges.filter((x) => free(t, x) && lone(rec, x)), rng)) {
      const exact = exactUnits(rec, c, ctx);
      if (exact === null) continue;
      const wrong = Math.max(1, Math.ceil(exact / 1000));
      if (wrong === c.units) continue;
      const r = clone(rec);
      replace(r, withUnits(r, c, wrong, ctx));
      return { record: r, truth: truth("mg-mcg-mixup", c.id, c.administrationIds[0] ?? null, lines(c), `${c.code}: dose read as mcg, ${wrong} unit(s) billed instead of ${c.units}`, ["NDC_QUANTITY", "WASTE_VIAL_MISMATCH"]) };
    }
    return null;
  },
  "ndc-10-digit"(rec, rng, _ctx, t) {
    for (const c of shuffled(rec.charges.filter((x) => free(t, x) && x.ndc !== null && /^\d{11}$/.test(x.ndc)), rng)) {
      const n = c.ndc as string;
      const at = n[0] === "0" ? 0 : n[5] === "0" ? 5 : n[9] === "0" ? 9 : -1;
      if (at < 0) continue;
      const r = clone(rec);
      replace(r, { ...c, ndc: n.slice(0, at) + n.slice(at + 1) });
      return { record: r, truth: truth("ndc-10-digit", c.id, c.administrationIds[0] ?? null, lines(c), `${c.code}: NDC sent as 10 digits without hyphens`) };
    }
    return null;
  },
  "ndc-other-package"(rec, rng, ctx, t) {
    for (const c of shuffled(rec.charges.filter((x) => free(t, x) && x.ndc !== null), rng)) {
      const a = adminOf(rec, c.administrationIds[0]);
      const facts = a === undefined ? null : billableDrug(rec, a, ctx.drugs);
      const other = facts?.packages.filter((p) => p.ndc11 !== c.ndc) ?? [];
      const p = pick(other, rng);
      if (p === null) continue;
      const r = clone(rec);
      replace(r, { ...c, ndc: p.ndc11, ndcQuantity: ndcQuantityFor(c.units, p.billingUnitsPerPackage) });
      return { record: r, truth: truth("ndc-other-package", c.id, a?.id ?? null, lines(c), `${c.code}: NDC ${p.ndc11} of another package than the one opened (${String(c.ndc)})`, ["NDC_QUANTITY"]) };
    }
    return null;
  },
  "jw-missing"(rec, rng, _ctx, t) {
    const c = pick(rec.charges.filter((x) => free(t, x) && x.modifiers.includes("JW")), rng);
    if (c === null) return null;
    const r = clone(rec);
    r.charges = r.charges.filter((x) => x.id !== c.id);
    return { record: r, truth: truth("jw-missing", null, c.administrationIds[0] ?? null, lines(c), `${c.code}: ${c.units} wasted unit(s) on the MAR not billed with JW`) };
  },
  "jz-missing"(rec, rng, _ctx, t) {
    const c = pick(rec.charges.filter((x) => free(t, x) && x.modifiers.includes("JZ")), rng);
    if (c === null) return null;
    const r = clone(rec);
    replace(r, { ...c, modifiers: c.modifiers.filter((m) => m !== "JZ") });
    return { record: r, truth: truth("jz-missing", c.id, c.administrationIds[0] ?? null, lines(c), `${c.code}: single-dose, nothing wasted, JZ missing`) };
  },
  "admin-not-documented"(rec, _rng, ctx, t) {
    if (!rec.charges.some((c) => isAdminCode(c.code)) || rec.charges.some((c) => c.code === "96375")) return null;
    const r = clone(rec);
    const dx = r.charges.find((c) => !isAdminCode(c.code))?.diagnosisCodes ?? (r.diagnoses[0] === undefined ? [] : [r.diagnoses[0].icd10]);
    const line: CapturedCharge = {
      id: newChargeId(r), code: "96375", modifiers: [], units: 1, charge: ctx.chargeMaster.price("96375", 1, r.dateOfService),
      revenueCode: r.siteOfCare === "hospital-outpatient" ? revenueCodeFor({ cpt: "96375" }) : null, ndc: null, ndcQuantity: null, ndcUnit: null,
      diagnosisCodes: [...dx], administrationIds: [], serviceDate: r.dateOfService,
    };
    r.charges.push(line);
    t.charges.add(line.id);
    return { record: r, truth: truth("admin-not-documented", line.id, null, lines(), "96375 (sequential push) billed, no MAR entry documents it") };
  },
  "admin-not-charged"(rec, rng, _ctx, t) {
    const admin = rec.charges.filter((c) => isAdminCode(c.code));
    const c = pick(admin.filter((x) => free(t, x) && x.administrationIds.length > 0
      && x.administrationIds.every((id) => admin.filter((o) => o.administrationIds.includes(id)).length === 1)), rng);
    if (c === null) return null;
    const r = clone(rec);
    r.charges = r.charges.filter((x) => x.id !== c.id);
    const others = r.charges.filter((x) => isAdminCode(x.code));
    const also: FindingCode[] = admin[0]?.id === c.id && others.length > 0 ? ["ADMIN_CODE"] : [];
    return { record: r, truth: truth("admin-not-charged", null, c.administrationIds[0] ?? null, lines(c), `${c.code} documented on the MAR, not charged`, also) };
  },
  "wrong-initial-code"(rec, _rng, ctx, t) {
    const c = rec.charges.find((x) => isAdminCode(x.code) && WRONG_INITIAL[x.code] !== undefined && x.modifiers.length === 0);
    if (c === undefined || !free(t, c)) return null;
    const code = WRONG_INITIAL[c.code] as string;
    const r = clone(rec);
    replace(r, { ...c, code, charge: ctx.chargeMaster.price(code, c.units, r.dateOfService), revenueCode: c.revenueCode === null ? null : revenueCodeFor({ cpt: code }) });
    // On an 837I the wrong code keeps the right code's revenue code: a mismatch the scrubber may name too.
    return { record: r, truth: truth("wrong-initial-code", c.id, c.administrationIds[0] ?? null, lines(c), `${c.code} (chemotherapy/complex biologic initial) coded ${code}`, rec.siteOfCare === "hospital-outpatient" ? ["REV_CODE"] : []) };
  },
  "units-over-mue"(rec, rng, ctx, t) {
    if (ctx.edits === null) return null;
    for (const c of shuffled(rec.charges.filter((x) => free(t, x) && !isAdminCode(x.code) && !x.modifiers.includes("JW")), rng)) {
      const max = ctx.edits.mues.get(c.code)?.maxUnits;
      if (max === undefined || c.units * 10 <= max) continue;
      const r = clone(rec);
      replace(r, withUnits(r, c, c.units * 10, ctx));
      const also: FindingCode[] = ["DRUG_UNITS", "NDC_QUANTITY", ...(c.modifiers.includes("JZ") || drugLinesOf(rec, c.administrationIds[0] ?? "").length > 1 ? ["WASTE_VIAL_MISMATCH" as const] : [])];
      return { record: r, truth: truth("units-over-mue", c.id, c.administrationIds[0] ?? null, lines(c), `${c.code}: ${c.units * 10} units exceed the MUE of ${max}`, also) };
    }
    return null;
  },
  "dx-not-supporting"(rec, rng, _ctx, t) {
    const c = pick(rec.charges.filter((x) => free(t, x)), rng);
    if (c === null) return null;
    const comorbidity = rng.pick(COMORBIDITIES);
    const r = clone(rec);
    if (!r.diagnoses.some((d) => d.icd10 === comorbidity.icd10)) {
      if (r.diagnoses.length >= 12) return null;
      r.diagnoses.push({ ...comorbidity });
    }
    replace(r, { ...c, diagnosisCodes: [comorbidity.icd10] });
    return { record: r, truth: truth("dx-not-supporting", c.id, c.administrationIds[0] ?? null, lines(c), `${c.code} points only at ${comorbidity.icd10} (${comorbidity.display})`) };
  },
  "wrong-revenue-code"(rec, rng, _ctx, t) {
    if (rec.siteOfCare !== "hospital-outpatient") return null;
    const c = pick(rec.charges.filter((x) => free(t, x) && x.revenueCode !== null && WRONG_REVENUE[x.revenueCode] !== undefined), rng);
    if (c === null) return null;
    const r = clone(rec);
    replace(r, { ...c, revenueCode: WRONG_REVENUE[c.revenueCode as string] as string });
    return { record: r, truth: truth("wrong-revenue-code", c.id, c.administrationIds[0] ?? null, lines(c), `${c.code}: revenue code ${String(WRONG_REVENUE[c.revenueCode as string])} instead of ${String(c.revenueCode)}`) };
  },
  "duplicate-line"(rec, rng, ctx, t) {
    const c = pick(rec.charges.filter((x) => free(t, x)), rng);
    if (c === null) return null;
    const r = clone(rec);
    const copy = { ...structuredClone(c), id: newChargeId(r) };
    r.charges.push(copy);
    t.charges.add(c.id);
    const max = ctx.edits?.mues.get(c.code)?.maxUnits;
    const total = r.charges.filter((x) => x.code === c.code).reduce((s, x) => s + x.units, 0);
    const also: FindingCode[] = [...(max !== undefined && total > max ? ["MUE" as const] : []), ...(isAdminCode(c.code) ? ["ADMIN_CODE" as const] : ["DRUG_UNITS" as const, "WASTE_VIAL_MISMATCH" as const])];
    return { record: r, truth: truth("duplicate-line", copy.id, c.administrationIds[0] ?? null, lines(), `${c.code} captured twice (${c.id}, ${copy.id})`, also) };
  },
  "drug-not-charged"(rec, rng, _ctx, t) {
    const withDrug = rec.administrations.filter((a) => !t.administrations.has(a.id) && drugLinesOf(rec, a.id).length > 0 && drugLinesOf(rec, a.id).every((c) => free(t, c)));
    const a = pick(withDrug, rng);
    if (a === null) return null;
    const removed = drugLinesOf(rec, a.id);
    const r = clone(rec);
    r.charges = r.charges.filter((x) => !removed.some((y) => y.id === x.id));
    // The drug line a scrubber restores carries no modifier until its waste is checked: the JZ or JW it needs is a finding of its own.
    const modifiers = new Set(removed.flatMap((x) => x.modifiers));
    const consequences: FindingCode[] = [...(modifiers.has("JZ") ? ["JZ_MISSING" as const] : []), ...(modifiers.has("JW") ? ["WASTE_UNBILLED" as const] : [])];
    return { record: r, truth: truth("drug-not-charged", null, a.id, lines(...removed), `${a.drugName} given (${removed.map((x) => x.code + (x.modifiers.length > 0 ? `-${x.modifiers.join("-")}` : "")).join(", ")}), no drug line`, consequences) };
  },
};

/** The order planters run in: the MAR changes first, then the lines. */
export const PLANT_ORDER: readonly ChargeErrorKind[] = [
  "stop-time-missing", "units-from-ordered-dose", "jw-without-waste-record", "hydration-concurrent", "ncci-no-modifier",
  "bsa-rounding", "mg-mcg-mixup", "ndc-10-digit", "ndc-other-package", "jw-missing", "jz-missing", "admin-not-documented",
  "admin-not-charged", "wrong-initial-code", "units-over-mue", "dx-not-supporting", "wrong-revenue-code", "duplicate-line", "drug-not-charged",
];
if (PLANT_ORDER.length !== CHARGE_ERROR_KINDS.length) throw new Error("PLANT_ORDER must list every charge error kind");

/** Marks what a planted error owns. */
function own(t: Touched, p: PlantedError) {
  if (p.chargeId !== null) t.charges.add(p.chargeId);
  if (p.administrationId !== null) t.administrations.add(p.administrationId);
  if (p.expected.kind === "lines") for (const l of p.expected.lines) t.charges.add(l.id);
}

/**
 * Plants one error of `kind` in a copy of `record`; null when the visit has no place for it.
 * `touched` (updated) keeps several planted errors apart.
 */
export function plant(record: VisitRecord, kind: ChargeErrorKind, rng: Random, ctx: PlantContext, touched: Touched = { charges: new Set(), administrations: new Set() }): Planted | null {
  const out = PLANTERS[kind](record, rng, ctx, touched);
  if (out !== null) own(touched, out.truth);
  return out;
}

/** Plants errors at their rates (each kind at most once a visit); returns the record and the truth. */
export function plantErrors(record: VisitRecord, rates: ChargeErrorRates, rng: Random, ctx: PlantContext): { record: VisitRecord; truth: PlantedError[] } {
  const touched: Touched = { charges: new Set(), administrations: new Set() };
  let current = record;
  const planted: PlantedError[] = [];
  for (const kind of PLANT_ORDER) {
    if (!rng.chance(rateOf(rates, kind))) continue;
    const out = plant(current, kind, rng, ctx, touched);
    if (out === null) continue;
    current = out.record;
    planted.push(out.truth);
  }
  return { record: current, truth: planted };
}

function shuffled<T>(items: readonly T[], rng: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
function pick<T>(items: readonly T[], rng: Random): T | null {
  return items.length === 0 ? null : rng.pick(items);
}
