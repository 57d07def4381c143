/** 270 eligibility inquiry reader (what the payer simulator receives). */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { el, repetitions } from "../tokenizer.js";
import { ValueReader } from "../values.js";

export const EligibilityRequest270 = z.object({
  trace: z.string().nullable(),
  payer: z.object({ name: z.string().nullable(), id: z.string().nullable() }),
  provider: z.object({ name: z.string().nullable(), npi: z.string().nullable() }),
  subscriber: z.object({ lastName: z.string().nullable(), firstName: z.string().nullable(), memberId: z.string().nullable(), birthDate: z.string().nullable() }),
  dateOfService: z.string().nullable(),
  serviceTypes: z.array(z.string()),
  procedures: z.array(z.string()).describe("EQ02 procedure codes asked about (HC:J9271 …)"),
});
export type EligibilityRequest270 = z.infer<typeof EligibilityRequest270>;

export function read270(tx: Transaction, issues: X12Issue[]): EligibilityRequest270 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: EligibilityRequest270 = { trace: null, payer: { name: null, id: null }, provider: { name: null, npi: null }, subscriber: { lastName: null, firstName: null, memberId: null, birthDate: null }, dateOfService: null, serviceTypes: [], procedures: [] };
  for (const s of tx.segments) {
    if (s.id === "NM1" && el(s, 1) === "PR") out.payer = { name: el(s, 3) || null, id: el(s, 9) || null };
    else if (s.id === "NM1" && el(s, 1) === "1P") out.provider = { name: el(s, 3) || null, npi: el(s, 9) || null };
    else if (s.id === "NM1" && el(s, 1) === "IL") out.subscriber = { ...out.subscriber, lastName: el(s, 3) || null, firstName: el(s, 4) || null, memberId: el(s, 9) || null };
    else if (s.id === "DMG") out.subscriber.birthDate = v.date(s, 2, "birth date");
    else if (s.id === "TRN") out.trace ??= el(s, 2) || null;
    else if (s.id === "DTP" && el(s, 1) === "291") out.dateOfService = v.period(s, 2, 3)?.start ?? null;
    else if (s.id === "EQ") {
      out.serviceTypes.push(...repetitions(s, 1));
      if (el(s, 2) !== "") out.procedures.push(el(s, 2).split(s.delimiters.component)[1] ?? "");
    }
  }
  return out;
}
