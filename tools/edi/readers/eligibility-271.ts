/**
 * 271 Eligibility, Coverage or Benefit Information (005010X279A1): information source (2100A),
 * receiver (2100B), subscriber (2100C) and dependent (2100D) with AAA rejections, dates, and
 * every EB as a benefit (2110C/D) with its MSG messages, DTP dates and LS/LE related entities.
 */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { components, el, repetitions, type Segment } from "../tokenizer.js";
import { ValueReader } from "../values.js";

const Rejection = z.object({ valid: z.string().nullable(), code: z.string(), followUp: z.string().nullable() });
const DateEntry = z.object({ qualifier: z.string(), start: z.string(), end: z.string() });

export const Benefit = z.object({
  code: z.string().describe("EB01: 1 active, 6 inactive, A co-insurance, B co-payment, C deductible, G out-of-pocket …"),
  coverageLevel: z.string().nullable().describe("EB02: IND, FAM …"),
  serviceTypes: z.array(z.string()).describe("EB03, every repetition"),
  insuranceType: z.string().nullable(),
  planDescription: z.string().nullable(),
  timePeriod: z.string().nullable().describe("EB06: 23 calendar year, 29 remaining …"),
  amount: z.string().nullable(),
  percent: z.string().nullable().describe("EB08 as a decimal fraction string, e.g. \"0.20\""),
  quantityQualifier: z.string().nullable(),
  quantity: z.number().nullable(),
  authorizationRequired: z.boolean().nullable(),
  inNetwork: z.enum(["Y", "N", "W", "U"]).nullable(),
  procedure: z.object({ qualifier: z.string(), code: z.string(), modifiers: z.array(z.string()) }).nullable(),
  messages: z.array(z.string()),
  dates: z.array(DateEntry),
  relatedEntities: z.array(z.object({ entity: z.string(), name: z.string().nullable(), idQualifier: z.string().nullable(), id: z.string().nullable() })),
});
export type Benefit = z.infer<typeof Benefit>;

const Party = z.object({ name: z.string().nullable(), idQualifier: z.string().nullable(), id: z.string().nullable(), rejections: z.array(Rejection) });

export const EligibilitySubject = z.object({
  level: z.enum(["subscriber", "dependent"]),
  lastName: z.string().nullable(),
  firstName: z.string().nullable(),
  memberId: z.string().nullable(),
  birthDate: z.string().nullable(),
  gender: z.string().nullable(),
  traces: z.array(z.object({ type: z.string(), number: z.string(), originatorId: z.string().nullable() })),
  rejections: z.array(Rejection),
  dates: z.array(DateEntry),
  coverageActive: z.boolean().nullable(),
  planName: z.string().nullable(),
  benefits: z.array(Benefit),
});
export type EligibilitySubject = z.infer<typeof EligibilitySubject>;

export const Eligibility271 = z.object({
  informationSource: Party,
  receiver: Party,
  subjects: z.array(EligibilitySubject),
  /** Every AAA in the transaction, wherever it stood. */
  rejections: z.array(Rejection.extend({ level: z.string() })),
});
export type Eligibility271 = z.infer<typeof Eligibility271>;

const emptyParty = () => ({ name: null, idQualifier: null, id: null, rejections: [] as z.infer<typeof Rejection>[] });

function percentOf(raw: string): string | null {
  if (raw === "") return null;
  const n = Number(raw);
  if (!Number.isFinite(n)) return null;
  // EB08 is a decimal fraction (.20 = 20 %); keep it exact as text.
  const [i = "0", f = ""] = raw.replace(/^\./, "0.").split(".");
  return `${String(Number(i))}.${f.padEnd(2, "0")}`;
}

/** Reads one 271 transaction. */
export function read271(tx: Transaction, issues: X12Issue[]): Eligibility271 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: Eligibility271 = { informationSource: emptyParty(), receiver: emptyParty(), subjects: [], rejections: [] };
  let level: "20" | "21" | "22" | "23" | null = null;
  let subject: EligibilitySubject | null = null;
  let benefit: Benefit | null = null;
  let inLs = false;
  const rejection = (s: Segment) => ({ valid: el(s, 1) || null, code: v.required(s, 3, "reject reason code"), followUp: el(s, 4) || null });
  for (const s of tx.segments) {
    switch (s.id) {
      case "HL": {
        const code = el(s, 3);
        level = code === "20" || code === "21" || code === "22" || code === "23" ? code : null;
        if (level === null) v.segmentIssue("ELEMENT_INVALID", `HL03 "${code}" is not 20, 21, 22 or 23`, s, 3);
        benefit = null;
        if (level === "22" || level === "23") {
          subject = { level: level === "22" ? "subscriber" : "dependent", lastName: null, firstName: null, memberId: null, birthDate: null, gender: null,
            traces: [], rejections: [], dates: [], coverageActive: null, planName: null, benefits: [] };
          out.subjects.push(subject);
        }
        break;
      }
      case "NM1":
        if (inLs && benefit !== null) {
          benefit.relatedEntities.push({ entity: el(s, 1), name: [el(s, 3), el(s, 4)].filter((x) => x !== "").join(", ") || null, idQualifier: el(s, 8) || null, id: el(s, 9) || null });
        } else if (level === "20") Object.assign(out.informationSource, { name: el(s, 3) || null, idQualifier: el(s, 8) || null, id: el(s, 9) || null });
        else if (level === "21") Object.assign(out.receiver, { name: el(s, 3) || null, idQualifier: el(s, 8) || null, id: el(s, 9) || null });
        else if (subject !== null) {
          subject.lastName = el(s, 3) || null;
          subject.firstName = el(s, 4) || null;
          if (el(s, 9) !== "") subject.memberId = el(s, 9);
        }
        break;
      case "TRN":
        subject?.traces.push({ type: el(s, 1), number: el(s, 2), originatorId: el(s, 3) || null });
        break;
      case "DMG":
        if (subject !== null) {
          subject.birthDate = v.date(s, 2, "birth date");
          subject.gender = el(s, 3) || null;
        }
        break;
      case "AAA": {
        const r = rejection(s);
        const where = benefit !== null ? "benefit" : level === "20" ? "information-source" : level === "21" ? "receiver" : level === "23" ? "dependent" : "subscriber";
        out.rejections.push({ ...r, level: where });
        if (level === "20") out.informationSource.rejections.push(r);
        else if (level === "21") out.receiver.rejections.push(r);
        else subject?.rejections.push(r);
        break;
      }
      case "DTP": {
        const p = v.period(s, 2, 3);
        if (p === null) break;
        const entry = { qualifier: el(s, 1), ...p };
        if (benefit !== null) benefit.dates.push(entry);
        else subject?.dates.push(entry);
        break;
      }
      case "EB": {
        if (subject === null) {
          v.segmentIssue("SEGMENT_UNEXPECTED", "EB before a subscriber or dependent", s);
          break;
        }
        const proc = components(s, 13);
        const auth = el(s, 11);
        const net = el(s, 12);
        benefit = {
          code: v.required(s, 1, "eligibility or benefit information code"), coverageLevel: el(s, 2) || null, serviceTypes: repetitions(s, 3),
          insuranceType: el(s, 4) || null, planDescription: el(s, 5) || null, timePeriod: el(s, 6) || null,
          amount: v.amount(s, 7, "benefit amount"), percent: percentOf(el(s, 8)), quantityQualifier: el(s, 9) || null,
          quantity: v.quantity(s, 10, "benefit quantity"), authorizationRequired: auth === "Y" ? true : auth === "N" ? false : null,
          inNetwork: net === "Y" || net === "N" || net === "W" || net === "U" ? net : null,
          procedure: proc.length === 0 ? null : { qualifier: proc[0] ?? "", code: proc[1] ?? "", modifiers: proc.slice(2, 6).filter((m) => m !== "") },
          messages: [], dates: [], relatedEntities: [],
        };
        subject.benefits.push(benefit);
        if (benefit.code === "1") subject.coverageActive = true;
        else if (["6", "7", "8", "V"].includes(benefit.code) && subject.coverageActive !== true) subject.coverageActive = false;
        if (subject.planName === null && benefit.planDescription !== null && (benefit.code === "1" || benefit.code === "6")) subject.planName = benefit.planDescription;
        break;
      }
      case "MSG":
        benefit?.messages.push(el(s, 1));
        break;
      case "LS":
        inLs = true;
        break;
      case "LE":
        inLs = false;
        break;
      default:
        break;
    }
  }
  return out;
}
