/**
 * Billing units for one ordered dose: the order's drug (by HCPCS, else by name) in the catalogue,
 * its HCPCS billing unit, and the dose rounded up to whole units. Expected failures (no HCPCS,
 * no dose, a unit that does not convert) come back as a typed result with the reason.
 */
import { AppError } from "../errors.js";
import { billingUnits, type BillingUnitsResult } from "./billing-units.js";
import type { DrugCatalogue } from "./drug-catalogue.js";

/** The order fields units need. */
export interface OrderedDose {
  drugName: string;
  hcpcs: string | null;
  dose: { value: number; unit: string } | null;
}

export type OrderUnits = { ok: true; hcpcs: string; units: BillingUnitsResult } | { ok: false; hcpcs: string | null; reason: string };

/** Units for an ordered dose. */
export function unitsForOrder(drugs: DrugCatalogue, order: OrderedDose): OrderUnits {
  const drug = (order.hcpcs === null ? undefined : drugs.byCode(order.hcpcs)) ?? drugs.byDrugName(order.drugName);
  const hcpcs = order.hcpcs ?? drug?.hcpcs ?? null;
  if (hcpcs === null) return { ok: false, hcpcs, reason: `${order.drugName} has no HCPCS code` };
  if (drug?.billingUnit == null) return { ok: false, hcpcs, reason: `${hcpcs} has no billing unit in the ASP file` };
  if (order.dose === null) return { ok: false, hcpcs, reason: `the ${order.drugName} order has no dose` };
  try {
    return { ok: true, hcpcs, units: billingUnits(hcpcs, `${order.dose.value} ${order.dose.unit}`, drug.billingUnit) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, hcpcs, reason: error.message };
    throw error;
  }
}
