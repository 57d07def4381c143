/**
 * Facts about one drug code the checks share: its billing unit (CMS ASP file `HCPCS Code
 * Dosage`), the NDC the MAR names for it, and the crosswalk package an NDC is (billing units per
 * container = BILLUNITSPKG ÷ PKG QTY, as the drug catalogue reads it).
 */
import type { Dose } from "../../coding/dose.js";
import type { CrosswalkEntry } from "../../coding/ndc.js";
import type { MarEntry, ScrubContext } from "./context.js";

/** One billing unit of a code and the ASP row it was read from. */
export function billingUnitOf(ctx: ScrubContext, hcpcs: string): { unit: Dose; source: string } | null {
  const priced = ctx.tables.asp.priceRow(hcpcs, ctx.dateOfService);
  if (priced.row !== null) return { unit: priced.row.dosage, source: `CMS ASP ${priced.priceQuarter ?? ""} row ${hcpcs} (HCPCS Code Dosage ${priced.row.dosageText})`.replace("  ", " ") };
  const drug = ctx.tables.drugs.byCode(hcpcs);
  if (drug?.billingUnit != null) return { unit: drug.billingUnit, source: `drug catalogue ${hcpcs}` };
  return null;
}

/** The crosswalk row of an 11-digit NDC under a HCPCS, on the date of service. */
export function packageOf(ctx: ScrubContext, ndc11: string, hcpcs: string): CrosswalkEntry | null {
  return ctx.tables.crosswalk.entries(ndc11, ctx.dateOfService).find((e) => e.hcpcs === hcpcs) ?? null;
}

/** The NDC the MAR documents for a code, when it is a crosswalked package of that code. */
export function marNdcFor(ctx: ScrubContext, hcpcs: string): { ndc11: string; administrationId: string } | null {
  for (const a of ctx.administrations) {
    if (a.hcpcs !== hcpcs || a.ndc === null) continue;
    const r = ctx.tables.crosswalk.resolve(a.ndc, ctx.dateOfService);
    if (r.ok && r.entries.some((e) => e.hcpcs === hcpcs)) return { ndc11: r.ndc11, administrationId: a.id };
  }
  return null;
}

/** Billing units in one container (vial) of a package. */
export function unitsPerContainer(e: CrosswalkEntry): number | null {
  if (e.billingUnits !== null && e.billingUnits > 0) return e.billingUnits;
  if (e.billingUnitsPerPackage === null) return null;
  return e.billingUnitsPerPackage / (e.packageQuantity ?? 1);
}

/** The MAR entries of a drug code (hydration and drugs without a code are not drug lines). */
export function marEntriesByCode(ctx: ScrubContext): Map<string, MarEntry[]> {
  const out = new Map<string, MarEntry[]>();
  // A white-bagged drug reaches the chair from a specialty pharmacy, which bills it on the pharmacy
  // benefit: the clinic bills its administration, never the drug (nor its waste) — DOMAIN "Before the visit".
  const whiteBag = new Set(ctx.orders.filter((o) => o.supply === "white-bag").map((o) => o.id));
  for (const a of ctx.administrations) {
    if (a.hcpcs === null || a.drugClass === "hydration") continue;
    if (a.orderId !== null && whiteBag.has(a.orderId)) continue;
    out.set(a.hcpcs, [...(out.get(a.hcpcs) ?? []), a]);
  }
  return out;
}

/** A dose as text ("332.5 mg"). */
export const doseText = (q: { value: number; unit: string }): string => `${q.value} ${q.unit}`;

/**
 * The NDC quantity (837 CTP04) for `units` billing units of a package, in the line's unit:
 * UN = containers (units ÷ billing units per container), ML = millilitres (PKG SIZE per
 * container), ME = milligrams; to three decimals. Null when the crosswalk row cannot say.
 */
export function ndcQuantityFor(ctx: ScrubContext, hcpcs: string, units: number, entry: CrosswalkEntry, unit: string): number | null {
  const perContainer = unitsPerContainer(entry);
  const round3 = (n: number) => Math.round(n * 1000) / 1000;
  if (unit === "UN") return perContainer === null ? null : round3(units / perContainer);
  if (unit === "ML") return perContainer === null || entry.packageSize === null ? null : round3((units * entry.packageSize) / perContainer);
  if (unit === "ME") {
    const b = billingUnitOf(ctx, hcpcs);
    if (b === null) return null;
    if (b.unit.unit === "mg") return round3(b.unit.amount.times(units).toNumber());
    if (b.unit.unit === "mcg") return round3(b.unit.amount.times(units).dividedBy(1000).toNumber());
    if (b.unit.unit === "g") return round3(b.unit.amount.times(units).times(1000).toNumber());
  }
  return null;
}
