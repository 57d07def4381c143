/**
 * The real-world charge-capture errors the sandbox plants in past visits (issue 18), each mapped
 * to the pre-bill finding code a correct scrubber raises for it, and the truth kept for each.
 *
 * | error kind                   | finding code          | what is planted                                                                 |
 * |------------------------------|-----------------------|---------------------------------------------------------------------------------|
 * | units-from-ordered-dose      | DRUG_UNITS            | the MAR shows a reduced dose; the drug line kept the ordered dose's units        |
 * | bsa-rounding                 | DRUG_UNITS            | a dose between units rounded to the nearest unit (down) instead of up           |
 * | mg-mcg-mixup                 | DRUG_UNITS            | the dose read as mcg: units a thousandth of the right ones (at least 1)          |
 * | ndc-10-digit                 | NDC_INVALID           | the NDC sent as 10 digits without hyphens (the padding zero dropped)             |
 * | ndc-other-package            | NDC_INVALID           | the NDC of another package of the same drug than the one the MAR opened          |
 * | jw-missing                   | WASTE_UNBILLED        | the JW waste line left off (payer requires JW/JZ)                                |
 * | jw-without-waste-record      | WASTE_UNDOCUMENTED    | the JW line billed, the MAR's wasted amount missing                              |
 * | jz-missing                   | JZ_MISSING            | JZ left off a single-dose line with nothing wasted (payer requires JW/JZ)        |
 * | admin-not-documented         | ADMIN_NOT_DOCUMENTED  | an administration line (96375) with no MAR entry                                 |
 * | admin-not-charged            | ADMIN_NOT_CHARGED     | a documented administration with no administration line                         |
 * | stop-time-missing            | ADMIN_TIME_MISSING    | the MAR's stop time of an infusion missing, its time-based line billed           |
 * | wrong-initial-code           | ADMIN_CODE            | a chemotherapy/complex-biologic initial coded as a therapeutic one (96413→96365, 96409→96374) |
 * | hydration-concurrent         | HYDRATION_CONCURRENT  | hydration running during a chemotherapy infusion, billed as 96361                |
 * | ncci-no-modifier             | NCCI_PTP              | sequential hydration after chemotherapy billed 96361 without 59 (pair 96413/96361) |
 * | units-over-mue               | MUE                   | drug units ×10 above the code's MUE (J9271, J9035, J2506 in the sample)          |
 * | dx-not-supporting            | DX_LINK               | the line points only at a comorbidity (I10, E11.9) that does not support it     |
 * | wrong-revenue-code           | REV_CODE              | 837I line with the wrong revenue code (0250 for a J-code, 0260 for chemo admin …) |
 * | duplicate-line               | DUPLICATE_LINE        | a line captured twice                                                            |
 * | drug-not-charged             | DRUG_NOT_CHARGED      | a buy-and-bill drug on the MAR with no drug line (nor its JW line)              |
 *
 * One planted error is one truth entry; `alsoFlags` names the codes a correct scrubber may raise
 * besides (an MUE overrun is also wrong units; a duplicated 96413 is also over its MUE; a line
 * whose units are wrong carries a CTP quantity that follows them, so NDC_QUANTITY may be raised).
 */
import { z } from "zod";
import { CapturedCharge, FindingCode } from "../../claim/visit-record.js";

export const CHARGE_ERROR_KINDS = [
  "units-from-ordered-dose", "bsa-rounding", "mg-mcg-mixup", "ndc-10-digit", "ndc-other-package", "jw-missing",
  "jw-without-waste-record", "jz-missing", "admin-not-documented", "admin-not-charged", "stop-time-missing",
  "wrong-initial-code", "hydration-concurrent", "ncci-no-modifier", "units-over-mue", "dx-not-supporting",
  "wrong-revenue-code", "duplicate-line", "drug-not-charged",
] as const;
export type ChargeErrorKind = (typeof CHARGE_ERROR_KINDS)[number];

/** The finding code each error kind produces (the table above). */
export const FINDING_FOR: Record<ChargeErrorKind, FindingCode> = {
  "units-from-ordered-dose": "DRUG_UNITS",
  "bsa-rounding": "DRUG_UNITS",
  "mg-mcg-mixup": "DRUG_UNITS",
  "ndc-10-digit": "NDC_INVALID",
  "ndc-other-package": "NDC_INVALID",
  "jw-missing": "WASTE_UNBILLED",
  "jw-without-waste-record": "WASTE_UNDOCUMENTED",
  "jz-missing": "JZ_MISSING",
  "admin-not-documented": "ADMIN_NOT_DOCUMENTED",
  "admin-not-charged": "ADMIN_NOT_CHARGED",
  "stop-time-missing": "ADMIN_TIME_MISSING",
  "wrong-initial-code": "ADMIN_CODE",
  "hydration-concurrent": "HYDRATION_CONCURRENT",
  "ncci-no-modifier": "NCCI_PTP",
  "units-over-mue": "MUE",
  "dx-not-supporting": "DX_LINK",
  "wrong-revenue-code": "REV_CODE",
  "duplicate-line": "DUPLICATE_LINE",
  "drug-not-charged": "DRUG_NOT_CHARGED",
};

/** Default rate per visit of each kind (tried when the visit offers a place for it). */
export const DEFAULT_CHARGE_ERROR_RATE = 0.022;

/** Per-kind rates (0–1, per visit); a kind left out takes `default`. */
export const ChargeErrorRates = z.object({
  default: z.number().min(0).max(1).default(DEFAULT_CHARGE_ERROR_RATE),
  perKind: z.partialRecord(z.enum(CHARGE_ERROR_KINDS), z.number().min(0).max(1)).default({}),
});
export type ChargeErrorRates = z.infer<typeof ChargeErrorRates>;
export type ChargeErrorRatesInput = z.input<typeof ChargeErrorRates>;

export const rateOf = (rates: ChargeErrorRates, kind: ChargeErrorKind): number => rates.perKind[kind] ?? rates.default;

/**
 * What the right answer is: the correct line(s) in place of the charge (none: the line must not be
 * billed; for a missing line, the line to add), or the MAR value the chart must document.
 */
export const ExpectedFix = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("lines"), lines: z.array(CapturedCharge) }),
  z.object({ kind: z.literal("documentation"), field: z.enum(["stop", "wasted"]), value: z.unknown() }),
]);
export type ExpectedFix = z.infer<typeof ExpectedFix>;

/** One planted error: the truth tests and evaluations score the scrubber against. */
export const PlantedError = z.object({
  code: FindingCode,
  kind: z.enum(CHARGE_ERROR_KINDS),
  /** The captured line that is wrong (null when the error is a missing line). */
  chargeId: z.string().nullable(),
  /** The MAR entry concerned (null for a line no MAR entry backs). */
  administrationId: z.string().nullable(),
  expected: ExpectedFix,
  /** Codes a correct scrubber may raise besides `code` for the same error. */
  alsoFlags: z.array(FindingCode).default([]),
  note: z.string(),
});
export type PlantedError = z.infer<typeof PlantedError>;
