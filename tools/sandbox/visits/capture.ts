/**
 * Charge capture done right: the captured charges a correct charge capture produces from a visit's
 * MAR, orders and coverage. Every fact comes from the coding toolkit:
 * - drug lines: units from the ADMINISTERED dose ÷ the HCPCS billing unit, rounded up
 *   (`billingUnits`, DOMAIN.md "Drug units"); the MAR's 11-digit NDC with its CTP quantity in `UN`
 *   = units ÷ the package's billing units (CMS crosswalk BILLUNITSPKG), three decimals;
 * - waste (`wasteFor`): for single-dose containers when the payer requires JW/JZ (Medicare, or a
 *   `requires-jw-jz` payer rule, unless a `waives-jw-jz` rule), the discarded units on their own JW
 *   line, or JZ on the drug line when nothing was discarded (CMS JW/JZ policy); multi-dose never;
 * - a white-bagged drug (order supply `white-bag`) has no drug line: the pharmacy bills it;
 *   hydration (no HCPCS) has none either;
 * - administration lines: `deriveAdministrationCodes` over the MAR (hierarchy, hours, push,
 *   hydration, sites), their units and modifiers as derived;
 * - 837I (hospital outpatient): each line's revenue code from `revenueCodeFor`; 837P: none;
 * - diagnosis pointers: a drug line points at its order's diagnoses; an administration line at the
 *   diagnoses of the orders it administers (the visit's principal diagnosis for hydration);
 * - charges from the charge master (`charge-master.ts`).
 */
import { Decimal } from "decimal.js";
import { deriveAdministrationCodes, type AdministrationEvent } from "../../coding/administration-codes.js";
import { billingUnits, wasteFor } from "../../coding/billing-units.js";
import { revenueCodeFor } from "../../coding/claim-context.js";
import type { DoseUnit } from "../../coding/dose.js";
import type { CatalogueDrug } from "../../coding/drug-catalogue.js";
import type { CapturedCharge, VisitRecord } from "../../claim/visit-record.js";
import type { DrugFacts, DrugFactsLookup } from "../drug-facts.js";
import type { ChargeMaster } from "./charge-master.js";

/** What charge capture needs besides the visit. */
export interface CaptureContext {
  drugs: DrugFactsLookup;
  chargeMaster: ChargeMaster;
}

type Administration = VisitRecord["administrations"][number];

/** Whether the visit's payer requires JW/JZ on single-dose drug lines. */
export function jwJzRequired(record: Pick<VisitRecord, "coverage" | "payerRules">): boolean {
  if (record.payerRules.some((r) => r.kind === "waives-jw-jz")) return false;
  return record.coverage.payerType === "medicare" || record.payerRules.some((r) => r.kind === "requires-jw-jz");
}

/** The drug facts for an administration, or null when it has no drug line (hydration, white bag, no HCPCS). */
export function billableDrug(record: Pick<VisitRecord, "orders">, a: Administration, drugs: DrugFactsLookup): DrugFacts | null {
  if (a.hcpcs === null || a.drugClass === "hydration") return null;
  const order = record.orders.find((o) => o.id === a.orderId);
  if (order?.supply === "white-bag") return null;
  return drugs(a.drugName);
}

/** The package the MAR says was opened (the drug's first when the NDC is not one of its packages). */
export const packageOf = (facts: DrugFacts, ndc: string | null) => facts.packages.find((p) => p.ndc11 === ndc) ?? facts.packages[0] ?? null;

/** Billing units for an administered dose (rounded up). */
export function unitsFor(facts: DrugFacts, dose: { value: number; unit: string }): number {
  return billingUnits(facts.hcpcs, `${dose.value} ${dose.unit}`, { amount: new Decimal(facts.billingUnit.amount), unit: facts.billingUnit.unit as DoseUnit }).billingUnits;
}

/** CTP quantity in UN: billing units ÷ the package's billing units, three decimals (at least 0.001). */
export const ndcQuantityFor = (units: number, billingUnitsPerPackage: number): number =>
  Math.max(Math.round((units / billingUnitsPerPackage) * 1000) / 1000, 0.001);

const asCatalogueDrug = (f: DrugFacts): CatalogueDrug => ({
  name: f.name, brand: null, hcpcs: f.hcpcs, drugClass: f.drugClass, route: f.route, singleDose: f.singleDose,
  billingUnit: { amount: new Decimal(f.billingUnit.amount), unit: f.billingUnit.unit as DoseUnit },
  containers: f.packages.map((p) => ({ ndc11: p.ndc11, billingUnits: p.billingUnitsPerPackage })),
});

/** The MAR as administration events for `deriveAdministrationCodes`. */
export function administrationEvents(administrations: Administration[]): AdministrationEvent[] {
  return administrations.filter((a) => a.start !== null).map((a) => ({
    id: a.id, drug: a.drugName, hcpcs: a.hcpcs, class: a.drugClass ?? "therapeutic", route: a.route ?? "iv-infusion",
    start: a.start as string, stop: a.stop, site: a.site, pump: a.pump,
  }));
}

/** Diagnosis codes for lines administering these MAR entries (max 4, the order's first). */
export function diagnosesFor(record: Pick<VisitRecord, "orders" | "administrations" | "diagnoses">, administrationIds: string[]): string[] {
  const codes: string[] = [];
  for (const id of administrationIds) {
    const a = record.administrations.find((x) => x.id === id);
    const order = record.orders.find((o) => o.id === a?.orderId);
    for (const c of order?.diagnosisCodes ?? []) if (!codes.includes(c)) codes.push(c);
  }
  if (codes.length === 0 && record.diagnoses[0] !== undefined) codes.push(record.diagnoses[0].icd10);
  return codes.slice(0, 4);
}

/** The drug line(s) for one administration: the administered line and, with waste billed, the JW line. */
export function drugLines(record: VisitRecord, a: Administration, ctx: CaptureContext): Omit<CapturedCharge, "id">[] {
  const facts = billableDrug(record, a, ctx.drugs);
  if (facts === null || a.dose === null) return [];
  const units = unitsFor(facts, a.dose);
  const pkg = packageOf(facts, a.ndc);
  const perPackage = pkg?.billingUnitsPerPackage ?? 1;
  const opened = a.containersOpened === null ? null : a.containersOpened * perPackage;
  const lines = facts.singleDose && jwJzRequired(record) && opened !== null && opened >= units
    ? wasteFor(asCatalogueDrug(facts), units, { openedUnits: opened }).lines
    : [{ units, modifiers: [] as ("JW" | "JZ")[] }];
  const dx = diagnosesFor(record, [a.id]);
  return lines.map((l) => ({
    code: facts.hcpcs, modifiers: [...l.modifiers], units: l.units, charge: ctx.chargeMaster.price(facts.hcpcs, l.units, record.dateOfService),
    revenueCode: record.siteOfCare === "hospital-outpatient" ? revenueCodeFor({ hcpcs: facts.hcpcs }) : null,
    ndc: pkg?.ndc11 ?? a.ndc, ndcQuantity: ndcQuantityFor(l.units, perPackage), ndcUnit: "UN" as const,
    diagnosisCodes: dx, administrationIds: [a.id], serviceDate: record.dateOfService,
  }));
}

/** The administration lines the MAR supports. */
export function administrationLines(record: VisitRecord, ctx: CaptureContext): Omit<CapturedCharge, "id">[] {
  const { lines } = deriveAdministrationCodes(administrationEvents(record.administrations));
  return lines.map((l) => ({
    code: l.cpt, modifiers: [...l.modifiers], units: l.units, charge: ctx.chargeMaster.price(l.cpt, l.units, record.dateOfService),
    revenueCode: record.siteOfCare === "hospital-outpatient" ? revenueCodeFor({ cpt: l.cpt }) : null,
    ndc: null, ndcQuantity: null, ndcUnit: null,
    diagnosisCodes: diagnosesFor(record, l.eventIds), administrationIds: [...l.eventIds], serviceDate: record.dateOfService,
  }));
}

/** Line id n of a visit. */
export const chargeId = (visitId: string, n: number): string => `${visitId}-ch${String(n).padStart(2, "0")}`;

/** The correct captured charges for the visit (its `charges` are ignored): drug lines in MAR order, then administration lines. */
export function captureCharges(record: VisitRecord, ctx: CaptureContext): CapturedCharge[] {
  const lines = [...record.administrations.flatMap((a) => drugLines(record, a, ctx)), ...administrationLines(record, ctx)];
  return lines.map((l, i) => ({ id: chargeId(record.visitId, i + 1), ...l }));
}
