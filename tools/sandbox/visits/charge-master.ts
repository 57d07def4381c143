/**
 * The sandbox clinic's charge master: the list price charge capture puts on each line (what the
 * clinic charges, not what a payer pays — payers pay their fee schedule or ASP + x %, DOMAIN.md
 * "Money"). Simple and documented:
 * - administration CPT codes: a fixed price per unit (`ADMINISTRATION_PRICES`, 2026 list prices
 *   of a community oncology clinic, synthetic);
 * - drugs: `DRUG_MARKUP` × the CMS ASP payment limit per billing unit in force on the date of
 *   service (latest quarter loaded when none is in force), else `UNPRICED_DRUG_UNIT` per unit.
 * Amounts are exact decimals, two places.
 */
import { Decimal } from "decimal.js";
import type { AspPricing } from "../../coding/asp-pricing.js";

export const ADMINISTRATION_PRICES: Readonly<Record<string, string>> = {
  "96360": "185.00", "96361": "55.00", "96365": "265.00", "96366": "72.00", "96367": "115.00", "96368": "92.00",
  "96372": "62.00", "96374": "145.00", "96375": "64.00", "96401": "135.00", "96402": "112.00", "96409": "225.00",
  "96411": "125.00", "96413": "455.00", "96415": "98.00", "96416": "485.00", "96417": "215.00",
};
/** Price of an administration code not in the table, per unit. */
export const UNLISTED_ADMINISTRATION = "100.00";
/** Drug list price = this × the ASP payment limit per unit. */
export const DRUG_MARKUP = "2.5";
/** Per unit, for a drug with no ASP payment limit. */
export const UNPRICED_DRUG_UNIT = "10.00";

/** Prices a line: code × units on a date of service. */
export interface ChargeMaster {
  price(code: string, units: number, dateOfService: string): string;
}

/** The charge master over the ASP file (null: drugs at `UNPRICED_DRUG_UNIT`). */
export function chargeMaster(asp: AspPricing | null): ChargeMaster {
  return {
    price(code, units, dateOfService) {
      const admin = ADMINISTRATION_PRICES[code];
      let unit: Decimal;
      if (admin !== undefined) unit = new Decimal(admin);
      else if (/^\d{5}$/.test(code)) unit = new Decimal(UNLISTED_ADMINISTRATION);
      else {
        const row = asp === null ? null : asp.priceRow(code, dateOfService).row ?? asp.latest(code);
        unit = row?.paymentLimit == null ? new Decimal(UNPRICED_DRUG_UNIT) : new Decimal(row.paymentLimit).times(DRUG_MARKUP);
      }
      return unit.times(units).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
    },
  };
}
