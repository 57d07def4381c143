/**
 * A small deterministic generator of varied visit records for the scrubber's benchmark and tests
 * (seeded; no real PHI). The MAR is drawn first (one or two infusion drugs by weight or BSA,
 * sometimes hydration, a premedication infusion or pegfilgrastim, office or hospital, Medicare or
 * commercial); the charges are what the scrubber bills for that MAR, then a share of visits get
 * one planted error. The full sandbox generator with planted-error truth lives in tools/sandbox.
 */
import type { CodingTables } from "../../tools/coding/coding-tables.js";
import { scrubVisit } from "../../tools/claim/scrub/index.js";
import { VisitRecord, type VisitRecordInput } from "../../tools/claim/visit-record.js";
import { cleanOfficeVisit } from "./visit-records.js";

/** mulberry32: a tiny seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GenDrug { name: string; hcpcs: string; ndc: string; cls: "biologic" | "chemotherapy"; perVial: number; unitMg: number; dose: (kg: number, bsa: number) => number; minutes: number; single: boolean }
const DRUGS: GenDrug[] = [
  { name: "pembrolizumab", hcpcs: "J9271", ndc: "00006-3026-02", cls: "biologic", perVial: 100, unitMg: 1, dose: (kg) => Math.round(2 * kg), minutes: 30, single: true },
  { name: "nivolumab", hcpcs: "J9299", ndc: "00003-3774-12", cls: "biologic", perVial: 100, unitMg: 1, dose: (kg) => Math.round(3 * kg), minutes: 30, single: true },
  { name: "bevacizumab", hcpcs: "J9035", ndc: "50242-0060-01", cls: "biologic", perVial: 10, unitMg: 10, dose: (kg) => 5 * kg, minutes: 90, single: true },
  { name: "paclitaxel", hcpcs: "J9267", ndc: "00703-3218-01", cls: "chemotherapy", perVial: 300, unitMg: 1, dose: (_kg, bsa) => Math.round(175 * bsa * 10) / 10, minutes: 180, single: false },
  { name: "carboplatin", hcpcs: "J9045", ndc: "00703-4248-01", cls: "chemotherapy", perVial: 9, unitMg: 50, dose: (kg) => 5 * (kg + 25), minutes: 30, single: false },
];

const time = (dos: string, minutes: number) => {
  const h = 8 + Math.floor(minutes / 60);
  return `${dos}T${String(h).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}:00-05:00`;
};

/** One visit's MAR and context, without charges. */
function draw(rand: () => number, i: number): VisitRecordInput {
  const v = cleanOfficeVisit();
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const dos = `2026-0${1 + Math.floor(rand() * 3)}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}`;
  const kg = 50 + Math.floor(rand() * 60);
  const bsa = Math.round((1.5 + rand() * 0.7) * 100) / 100;
  v.visitId = `gen-${i}`;
  v.dateOfService = dos;
  v.siteOfCare = rand() < 0.4 ? "hospital-outpatient" : "physician-office";
  v.patient = { ...v.patient, weightKg: kg, bsaM2: bsa };
  v.coverage = rand() < 0.6 ? v.coverage : { ...v.coverage, payerType: "commercial", payerId: "SBCOM", payerName: "Sandbox Commercial" };
  v.payerRules = v.coverage.payerType === "commercial" && rand() < 0.3 ? [{ id: "PR-1", kind: pick(["requires-jw-jz", "waives-jw-jz", "requires-ndc"] as const), note: null }] : [];
  const drugs = rand() < 0.3 ? [DRUGS[3] as GenDrug, DRUGS[4] as GenDrug] : [pick(DRUGS)];
  let clock = 0;
  v.administrations = [];
  v.orders = [];
  if (rand() < 0.3) {
    v.administrations.push({ id: "mar-h", encounterId: v.visitId, patientId: "pat-1", orderId: null, drugName: "normal saline hydration", hcpcs: null, ndc: null, drugClass: "hydration", dose: null, route: "iv-infusion", start: time(dos, 0), stop: time(dos, 45), site: "A", wasted: null, containersOpened: null, pump: false });
    clock = 45;
  }
  if (rand() < 0.3) {
    v.administrations.push({ id: "mar-p", encounterId: v.visitId, patientId: "pat-1", orderId: null, drugName: "dexamethasone infusion", hcpcs: null, ndc: null, drugClass: "therapeutic", dose: null, route: "iv-infusion", start: time(dos, clock), stop: time(dos, clock + 20), site: "A", wasted: null, containersOpened: null, pump: false });
    clock += 20;
  }
  drugs.forEach((d, k) => {
    const mg = d.dose(kg, bsa);
    const units = Math.ceil(mg / d.unitMg);
    const vials = Math.ceil(units / d.perVial);
    const wasteUnits = d.single ? vials * d.perVial - mg / d.unitMg : 0;
    const minutes = d.minutes + Math.floor(rand() * 3) * 15 - 15 + (rand() < 0.1 ? 1 : 0);
    v.orders!.push({ id: `ord-${k}`, patientId: "pat-1", drugName: d.name, hcpcs: d.hcpcs, ndc: null, drugClass: d.cls, dose: { value: mg, unit: "mg" }, route: "iv-infusion", cycleDays: 21, supply: "buy-and-bill", diagnosisCodes: ["C34.90"], status: "active" });
    v.administrations!.push({ id: `mar-${k}`, encounterId: v.visitId, patientId: "pat-1", orderId: `ord-${k}`, drugName: d.name, hcpcs: d.hcpcs, ndc: d.ndc, drugClass: d.cls, dose: { value: mg, unit: "mg" },
      route: "iv-infusion", start: time(dos, clock), stop: time(dos, clock + minutes), site: "A", wasted: d.single ? { value: Math.round(wasteUnits * d.unitMg * 1000) / 1000, unit: "mg" } : null,
      containersOpened: d.single ? vials : null, pump: false, acquired340b: rand() < 0.05 });
    clock += minutes;
  });
  if (rand() < 0.2) {
    v.administrations.push({ id: "mar-g", encounterId: v.visitId, patientId: "pat-1", orderId: null, drugName: "pegfilgrastim", hcpcs: "J2506", ndc: "55513-0190-01", drugClass: "supportive", dose: { value: 6, unit: "mg" }, route: "subcutaneous", start: time(dos, clock + 5), stop: null, site: "A", wasted: { value: 0, unit: "mg" }, containersOpened: 1, pump: false });
  }
  v.authorizations = rand() < 0.8 ? [{ number: `AUTH-${i}`, codes: drugs.map((d) => d.hcpcs), from: "2026-01-01", to: "2026-06-30", unitsAuthorized: null, unitsUsed: 0, diagnosisCodes: ["C34.90"], status: "approved" }] : [];
  v.charges = [];
  return v;
}

/** Plants one charge-capture error (or none) in a visit's correct charges. */
function plant(rand: () => number, charges: VisitRecordInput["charges"]): void {
  const r = rand();
  const drug = charges.find((c) => /^J/.test(c.code) && !(c.modifiers ?? []).includes("JW"));
  const admin = charges.find((c) => /^96/.test(c.code));
  if (r < 0.08 && drug !== undefined) drug.units += 10;
  else if (r < 0.14 && drug !== undefined) drug.modifiers = (drug.modifiers ?? []).filter((m) => m !== "JZ");
  else if (r < 0.2 && drug?.ndc != null) drug.ndc = drug.ndc.slice(1);
  else if (r < 0.25 && drug !== undefined) { drug.ndc = null; drug.ndcQuantity = null; }
  else if (r < 0.3 && admin !== undefined) charges.push({ ...admin, id: `${admin.id}-dup` });
  else if (r < 0.35 && admin !== undefined) admin.code = admin.code === "96413" ? "96365" : "96413";
  else if (r < 0.4 && charges.length > 1) charges.splice(charges.length - 1, 1);
  else if (r < 0.45 && drug !== undefined) drug.diagnosisCodes = ["Z51.12"];
}

/** `n` parsed visit records from `seed`, their charges billed as the scrubber would, with planted errors. */
export function generateVisits(n: number, seed: number, tables: CodingTables): VisitRecord[] {
  const rand = prng(seed);
  const out: VisitRecord[] = [];
  for (let i = 0; i < n; i += 1) {
    const v = draw(rand, i);
    const billed = scrubVisit(VisitRecord.parse(v), tables).corrected;
    v.charges = billed.lines.map((l, k) => ({
      id: `c${k + 1}`, code: l.procedure.code, modifiers: l.procedure.modifiers, units: l.units, charge: l.charge, revenueCode: l.revenueCode,
      ndc: l.drug?.ndc11 ?? null, ndcQuantity: l.drug?.quantity ?? null, ndcUnit: l.drug?.unit ?? null,
      diagnosisCodes: l.diagnosisPointers.map((p) => v.diagnoses[p - 1]?.icd10 ?? "C34.90"), administrationIds: [], serviceDate: l.serviceDate,
    }));
    plant(rand, v.charges);
    out.push(VisitRecord.parse(v));
  }
  return out;
}
