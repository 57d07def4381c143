/**
 * What the scrubber charges for a line it adds (or a line whose code it changes): a simple charge
 * master. Captured lines keep the clinic's own price per unit; only new codes are priced here.
 * - Drugs: the CMS ASP payment limit per billing unit in force on the date of service × 1.50
 *   (a common hospital/office markup), per unit, to the cent; a code without a limit is 0.00.
 * - Administration codes (CPT 96360–96417): a fixed table per unit (illustrative clinic prices).
 * A clinic replaces it through `ScrubOptions.chargeMaster`.
 */
import { Decimal } from "decimal.js";
import type { CodingTables } from "../../coding/coding-tables.js";

export interface ChargeMaster {
  /** The charge for `units` of `code`, and where the price came from. */
  price(code: string, units: number, dateOfService: string): { charge: string; source: string };
}

/** Per-unit prices of the administration codes. */
export const ADMINISTRATION_CHARGES: Readonly<Record<string, string>> = {
  "96360": "180.00", "96361": "60.00", "96365": "260.00", "96366": "75.00", "96367": "110.00", "96368": "90.00",
  "96372": "55.00", "96374": "140.00", "96375": "60.00", "96401": "140.00", "96402": "110.00", "96409": "230.00",
  "96411": "130.00", "96413": "420.00", "96415": "95.00", "96416": "450.00", "96417": "190.00",
};

/** Markup on the ASP payment limit for drugs. */
export const DRUG_MARKUP = "1.50";

export function defaultChargeMaster(tables: CodingTables): ChargeMaster {
  return {
    price(code, units, dateOfService) {
      const fixed = ADMINISTRATION_CHARGES[code];
      if (fixed !== undefined) return { charge: new Decimal(fixed).times(units).toFixed(2), source: `charge master ${code} ${fixed}/unit` };
      const priced = tables.asp.priceRow(code, dateOfService);
      const limit = priced.row?.paymentLimit ?? null;
      if (limit === null) return { charge: "0.00", source: `charge master: no ASP payment limit for ${code}` };
      const charge = new Decimal(limit).times(DRUG_MARKUP).times(units).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
      return { charge, source: `charge master: CMS ASP ${priced.priceQuarter ?? "?"} ${code} ${limit} × ${DRUG_MARKUP} per unit` };
    },
  };
}
