/**
 * 270 eligibility inquiry reader (what the payer simulator receives). The subscriber is 2000C/2100C
 * (NM1*IL with the member id); a patient who is not the subscriber and has no unique member id is
 * a dependent in 2000D/2100D (NM1*03, DMG), and the inquiry's TRN, DTP and EQ then stand at the
 * dependent level (005010X279A1, 2000D). NM108 is kept with NM109: the information receiver
 * (2100B) may be identified by NPI (XX), EIN (FI), service provider number (SV) …, and only an
 * XX identifier is read as an NPI. Each subscriber (NM1*IL) starts afresh: a DMG of an earlier
 * subscriber loop is never carried over to a later one.
 */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { el, repetitions } from "../tokenizer.js";
import { ValueReader } from "../values.js";
import { providerName } from "./parties.js";

/** A dependent the inquiry is about (2100D). */
export const Dependent270 = z.object({
  lastName: z.string().nullable(),
  firstName: z.string().nullable(),
  birthDate: z.string().nullable(),
  gender: z.string().nullable().describe("DMG03: F, M, U"),
});
export type Dependent270 = z.infer<typeof Dependent270>;

export const EligibilityRequest270 = z.object({
  trace: z.string().nullable(),
  payer: z.object({ name: z.string().nullable(), idQualifier: z.string().nullish().describe("NM108: PI payer id, XV CMS plan id"), id: z.string().nullable() }),
  provider: z.object({
    name: z.string().nullable(),
    npi: z.string().nullable().describe("NM109 when NM108 is XX"),
    idQualifier: z.string().nullish().describe("NM108 (XX NPI, FI EIN, SV service provider number …); absent on an inquiry we build, where XX is meant"),
    id: z.string().nullish().describe("NM109, whatever NM108 says it is"),
  }),
  subscriber: z.object({ lastName: z.string().nullable(), firstName: z.string().nullable(), memberId: z.string().nullable(), birthDate: z.string().nullable() }),
  /** The patient when not the subscriber (sent in 2000D); absent when the subscriber is the patient. */
  dependent: Dependent270.optional(),
  dateOfService: z.string().nullable(),
  serviceTypes: z.array(z.string()),
  procedures: z.array(z.string()).describe("EQ02 procedure codes asked about (HC:J9271 …)"),
});
export type EligibilityRequest270 = z.infer<typeof EligibilityRequest270>;

export function read270(tx: Transaction, issues: X12Issue[]): EligibilityRequest270 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: EligibilityRequest270 = { trace: null, payer: { name: null, idQualifier: null, id: null }, provider: { name: null, idQualifier: null, id: null, npi: null }, subscriber: { lastName: null, firstName: null, memberId: null, birthDate: null }, dateOfService: null, serviceTypes: [], procedures: [] };
  let level = "";
  for (const s of tx.segments) {
    if (s.id === "HL") {
      level = el(s, 3);
      if (level === "23") out.dependent ??= { lastName: null, firstName: null, birthDate: null, gender: null };
    } else if (s.id === "NM1" && el(s, 1) === "PR") out.payer = { name: el(s, 3) || null, idQualifier: el(s, 8) || null, id: el(s, 9) || null };
    else if (s.id === "NM1" && el(s, 1) === "1P") out.provider = providerName(s);
    else if (s.id === "NM1" && el(s, 1) === "IL") out.subscriber = { lastName: el(s, 3) || null, firstName: el(s, 4) || null, memberId: el(s, 9) || null, birthDate: null };
    else if (s.id === "NM1" && el(s, 1) === "03" && out.dependent !== undefined) Object.assign(out.dependent, { lastName: el(s, 3) || null, firstName: el(s, 4) || null });
    else if (s.id === "DMG" && level === "23" && out.dependent !== undefined) Object.assign(out.dependent, { birthDate: v.date(s, 2, "birth date"), gender: el(s, 3) || null });
    else if (s.id === "DMG" && level === "22") out.subscriber.birthDate = v.date(s, 2, "birth date");
    else if (s.id === "TRN") out.trace ??= el(s, 2) || null;
    else if (s.id === "DTP" && el(s, 1) === "291") out.dateOfService = v.period(s, 2, 3)?.start ?? null;
    else if (s.id === "EQ") {
      out.serviceTypes.push(...repetitions(s, 1));
      if (el(s, 2) !== "") out.procedures.push(el(s, 2).split(s.delimiters.component)[1] ?? "");
    }
  }
  return out;
}
