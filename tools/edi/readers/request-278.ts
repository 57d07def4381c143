/**
 * 278 authorization request reader (005010X217, what the payer simulator receives). NM108 is
 * kept with NM109: the requester (2010B) may be identified by NPI (XX), EIN (24), SSN (34) or
 * ETIN (46), and only an XX identifier is read as an NPI. A patient who is not the subscriber and
 * has no member id of their own is the dependent (2000D/2010D, NM1*QC with DMG) under the
 * subscriber (2000C/2010C, NM1*IL with the member id), and the patient event (2000E) sits under the
 * dependent level (005010X217, 2000D). A dependent's DMG is not the subscriber's.
 */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { el } from "../tokenizer.js";
import { ValueReader, diagnosisCodes, serviceLine } from "../values.js";
import { providerName } from "./parties.js";

/** A provider as NM1 names it: NM108 with NM109, and the NPI only when NM108 is XX. */
const Provider = z.object({
  name: z.string().nullable(),
  npi: z.string().nullable().describe("NM109 when NM108 is XX"),
  idQualifier: z.string().nullish().describe("NM108 (XX NPI, 24 EIN, 34 SSN, 46 ETIN); absent on a request we build, where XX is meant"),
  id: z.string().nullish().describe("NM109, whatever NM108 says it is"),
});

export const AuthRequest278 = z.object({
  trace: z.string().nullable(),
  traceOriginator: z.string().nullish().describe("TRN03 of the requester's trace (\"1\" + EIN or \"9\" + a user-assigned number, 10 characters)"),
  payer: z.object({ name: z.string().nullable(), idQualifier: z.string().nullish().describe("NM108: PI payer id, XV CMS plan id"), id: z.string().nullable() }),
  requester: Provider,
  subscriber: z.object({ lastName: z.string().nullable(), firstName: z.string().nullable(), memberId: z.string().nullable(), birthDate: z.string().nullable() }),
  /** The patient when not the subscriber (2000D/2010D); absent when the subscriber is the patient. */
  dependent: z.object({
    lastName: z.string().nullable(),
    firstName: z.string().nullable(),
    birthDate: z.string().nullable(),
    gender: z.string().nullable().describe("DMG03: F, M, U"),
  }).optional(),
  diagnoses: z.array(z.string()),
  services: z.array(z.object({
    procedure: z.object({ qualifier: z.string(), code: z.string(), modifiers: z.array(z.string()) }),
    quantity: z.number().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    servicingProvider: Provider.nullable(),
  })),
  messages: z.array(z.string()),
});
export type AuthRequest278 = z.infer<typeof AuthRequest278>;

export function read278Request(tx: Transaction, issues: X12Issue[]): AuthRequest278 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: AuthRequest278 = { trace: null, traceOriginator: null, payer: { name: null, idQualifier: null, id: null }, requester: { name: null, idQualifier: null, id: null, npi: null },
    subscriber: { lastName: null, firstName: null, memberId: null, birthDate: null }, diagnoses: [], services: [], messages: [] };
  let service: AuthRequest278["services"][number] | null = null;
  let level: string | null = null;
  for (const s of tx.segments) {
    switch (s.id) {
      case "HL":
        level = el(s, 3);
        if (level === "23") out.dependent ??= { lastName: null, firstName: null, birthDate: null, gender: null };
        if (level === "SS") {
          service = { procedure: { qualifier: "", code: "", modifiers: [] }, quantity: null, from: null, to: null, servicingProvider: null };
          out.services.push(service);
        }
        break;
      case "TRN":
        if (out.trace === null) {
          out.trace = el(s, 2) || null;
          out.traceOriginator = el(s, 3) || null;
        }
        break;
      case "NM1": {
        const code = el(s, 1);
        if (code === "X3") out.payer = { name: el(s, 3) || null, idQualifier: el(s, 8) || null, id: el(s, 9) || null };
        else if (code === "1P" && service === null) out.requester = providerName(s);
        else if (code === "IL") out.subscriber = { lastName: el(s, 3) || null, firstName: el(s, 4) || null, memberId: el(s, 9) || null, birthDate: null };
        else if (code === "QC" && level === "23" && out.dependent !== undefined) Object.assign(out.dependent, { lastName: el(s, 3) || null, firstName: el(s, 4) || null });
        else if ((code === "SJ" || code === "FA") && service !== null) service.servicingProvider = providerName(s);
        break;
      }
      case "DMG":
        // 2010C subscriber demographics only; a 2010D dependent's birth date is the dependent's.
        if (level === "22") out.subscriber.birthDate = v.date(s, 2, "birth date");
        else if (level === "23" && out.dependent !== undefined) Object.assign(out.dependent, { birthDate: v.date(s, 2, "birth date"), gender: el(s, 3) || null });
        break;
      case "HI":
        out.diagnoses.push(...diagnosisCodes(s));
        break;
      case "DTP":
        if (service !== null && el(s, 1) === "472") {
          const p = v.period(s, 2, 3);
          service.from = p?.start ?? null;
          service.to = p?.end ?? null;
        }
        break;
      case "SV1":
      case "SV2":
        if (service !== null) {
          const line = serviceLine(s, v);
          service.procedure = line.procedure;
          service.quantity = line.quantity;
        }
        break;
      case "MSG":
        out.messages.push(el(s, 1));
        break;
      default:
        break;
    }
  }
  return out;
}
