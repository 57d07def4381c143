/** 278 authorization request reader (what the payer simulator receives). */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { components, el } from "../tokenizer.js";
import { ValueReader, serviceLine } from "../values.js";

export const AuthRequest278 = z.object({
  trace: z.string().nullable(),
  payer: z.object({ name: z.string().nullable(), id: z.string().nullable() }),
  requester: z.object({ name: z.string().nullable(), npi: z.string().nullable() }),
  subscriber: z.object({ lastName: z.string().nullable(), firstName: z.string().nullable(), memberId: z.string().nullable(), birthDate: z.string().nullable() }),
  diagnoses: z.array(z.string()),
  services: z.array(z.object({
    procedure: z.object({ qualifier: z.string(), code: z.string(), modifiers: z.array(z.string()) }),
    quantity: z.number().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    servicingProvider: z.object({ name: z.string().nullable(), npi: z.string().nullable() }).nullable(),
  })),
  messages: z.array(z.string()),
});
export type AuthRequest278 = z.infer<typeof AuthRequest278>;

export function read278Request(tx: Transaction, issues: X12Issue[]): AuthRequest278 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: AuthRequest278 = { trace: null, payer: { name: null, id: null }, requester: { name: null, npi: null }, subscriber: { lastName: null, firstName: null, memberId: null, birthDate: null }, diagnoses: [], services: [], messages: [] };
  let service: AuthRequest278["services"][number] | null = null;
  for (const s of tx.segments) {
    switch (s.id) {
      case "HL":
        if (el(s, 3) === "SS") {
          service = { procedure: { qualifier: "", code: "", modifiers: [] }, quantity: null, from: null, to: null, servicingProvider: null };
          out.services.push(service);
        }
        break;
      case "TRN":
        out.trace ??= el(s, 2) || null;
        break;
      case "NM1": {
        const code = el(s, 1);
        if (code === "X3") out.payer = { name: el(s, 3) || null, id: el(s, 9) || null };
        else if (code === "1P" && service === null) out.requester = { name: el(s, 3) || null, npi: el(s, 9) || null };
        else if (code === "IL") out.subscriber = { ...out.subscriber, lastName: el(s, 3) || null, firstName: el(s, 4) || null, memberId: el(s, 9) || null };
        else if ((code === "SJ" || code === "FA") && service !== null) service.servicingProvider = { name: el(s, 3) || null, npi: el(s, 9) || null };
        break;
      }
      case "DMG":
        out.subscriber.birthDate = v.date(s, 2, "birth date");
        break;
      case "HI":
        for (let i = 1; i <= 12; i += 1) {
          const [q = "", code = ""] = components(s, i);
          if (q !== "") out.diagnoses.push(code);
        }
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
