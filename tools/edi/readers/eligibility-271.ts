/**
 * 271 Eligibility, Coverage or Benefit Information (005010X279A1): information source (2000A/2100A),
 * receiver (2100B), subscriber (2000C/2100C) and dependent (2000D/2100D) with their AAA rejections,
 * dates and INS relationship, and every EB as a benefit (2110C/D) with its own DTP dates, AAA
 * rejections, MSG messages and LS/LE related entities. The reader does not interpret (that is
 * `tools/payer/eligibility/`): it keeps what the payer sent, with where each EB, DTP, AAA, TRN and
 * NM1 stands (segment index, byte offset, text) so an interpretation can cite its evidence.
 */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { components, el, repetitions, type Segment } from "../tokenizer.js";
import { ValueReader } from "../values.js";

/**
 * Where a segment stands: in the file it was read from (index among the file's segments, 0 = ISA;
 * byte offset) and in its transaction set (position with ST = 1, as a 999's IK3 counts; bytes from
 * the ST), and its text.
 */
export const SegmentAt = z.object({
  index: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  setPosition: z.number().int().positive().describe("Segment position in the transaction set, ST = 1"),
  setOffset: z.number().int().nonnegative().describe("Bytes from the transaction set's ST"),
  text: z.string().describe("The segment as sent, without its terminator"),
});
export type SegmentAt = z.infer<typeof SegmentAt>;

/** The loops an AAA can stand in (TR3: 2000A, 2100A, 2100B, 2100C, 2110C, 2100D, 2110D). */
export const AAA_LOOPS = ["2000A", "2100A", "2100B", "2100C", "2110C", "2100D", "2110D"] as const;
export const AaaLoop = z.enum(AAA_LOOPS);
export type AaaLoop = z.infer<typeof AaaLoop>;

export const Rejection = z.object({
  valid: z.string().nullable().describe("AAA01: Y valid request, N invalid"),
  code: z.string().describe("AAA03 reject reason code"),
  followUp: z.string().nullable().describe("AAA04 follow-up action code"),
  at: SegmentAt.optional(),
});
export type Rejection = z.infer<typeof Rejection>;

export const DateEntry = z.object({ qualifier: z.string(), start: z.string(), end: z.string(), at: SegmentAt.optional() });
export type DateEntry = z.infer<typeof DateEntry>;

export const Benefit = z.object({
  code: z.string().describe("EB01: 1–4 active, 5 active pending investigation, 6–8 inactive, A co-insurance, B co-payment, C deductible, G out-of-pocket …"),
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
  dates: z.array(DateEntry).describe("2110 DTP: dates that bound this benefit only"),
  rejections: z.array(Rejection).describe("2110 AAA: this benefit inquiry rejected (the member was found)"),
  relatedEntities: z.array(z.object({ entity: z.string(), name: z.string().nullable(), idQualifier: z.string().nullable(), id: z.string().nullable() })),
  at: SegmentAt.optional(),
});
export type Benefit = z.infer<typeof Benefit>;

const Party = z.object({ name: z.string().nullable(), idQualifier: z.string().nullable(), id: z.string().nullable(), rejections: z.array(Rejection) });

export const Trace = z.object({ type: z.string(), number: z.string(), originatorId: z.string().nullable(), at: SegmentAt.optional() });

export const EligibilitySubject = z.object({
  level: z.enum(["subscriber", "dependent"]),
  lastName: z.string().nullable(),
  firstName: z.string().nullable(),
  /** NM108: MI member id, II unique health identifier … (kept next to NM109). */
  idQualifier: z.string().nullable().optional(),
  memberId: z.string().nullable(),
  birthDate: z.string().nullable(),
  gender: z.string().nullable(),
  /** INS02 individual relationship code (18 self; 01 spouse, 19 child … for a dependent), when sent. */
  relationship: z.string().nullable().optional(),
  traces: z.array(Trace),
  rejections: z.array(Rejection).describe("2100C/2100D AAA: the request failed for this person"),
  dates: z.array(DateEntry).describe("2100C/2100D DTP"),
  /** A raw summary, not an interpretation: true when any EB01 is 1–4, false when only 6–8 were sent, else null. */
  coverageActive: z.boolean().nullable(),
  planName: z.string().nullable(),
  benefits: z.array(Benefit),
  at: SegmentAt.optional().describe("The subject's NM1"),
});
export type EligibilitySubject = z.infer<typeof EligibilitySubject>;

export const Eligibility271 = z.object({
  informationSource: Party,
  receiver: Party,
  /** Subscribers and dependents in file order; a dependent belongs to the subscriber before it. */
  subjects: z.array(EligibilitySubject),
  /** Every AAA in the transaction, with the loop it stood in. */
  rejections: z.array(Rejection.extend({ loop: AaaLoop })),
});
export type Eligibility271 = z.infer<typeof Eligibility271>;

const emptyParty = () => ({ name: null, idQualifier: null, id: null, rejections: [] as Rejection[] });

/** The segment's place in the file and in its transaction set (whose ST is `st`), and its text (elements joined back with the file's separator). */
export function segmentAt(s: Segment, st: Segment): SegmentAt {
  return {
    index: s.index, offset: s.offset, setPosition: s.index - st.index + 1, setOffset: s.offset - st.offset,
    text: s.elements.length === 0 ? s.id : `${s.id}${s.delimiters.element}${s.elements.join(s.delimiters.element)}`,
  };
}

function percentOf(raw: string): string | null {
  if (raw === "") return null;
  const n = Number(raw);
  if (!Number.isFinite(n)) return null;
  // EB08 is a decimal fraction (.20 = 20 %); keep it exact as text.
  const [i = "0", f = ""] = raw.replace(/^\./, "0.").split(".");
  return `${String(Number(i))}.${f.padEnd(2, "0")}`;
}

const ACTIVE = new Set(["1", "2", "3", "4"]);
const INACTIVE = new Set(["6", "7", "8"]);

/** Reads one 271 transaction. */
export function read271(tx: Transaction, issues: X12Issue[]): Eligibility271 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: Eligibility271 = { informationSource: emptyParty(), receiver: emptyParty(), subjects: [], rejections: [] };
  let level: "20" | "21" | "22" | "23" | null = null;
  let named = false;
  let subject: EligibilitySubject | null = null;
  let benefit: Benefit | null = null;
  let inLs = false;
  const st = tx.segments[0];
  const place = (s: Segment) => segmentAt(s, st ?? s);
  const rejection = (s: Segment): Rejection => ({ valid: el(s, 1) || null, code: v.required(s, 3, "reject reason code"), followUp: el(s, 4) || null, at: place(s) });
  /** The loop an AAA at this point stands in. */
  const aaaLoop = (): AaaLoop => {
    if (level === "20") return named ? "2100A" : "2000A";
    if (level === "21") return "2100B";
    const d = level === "23";
    return benefit !== null ? (d ? "2110D" : "2110C") : d ? "2100D" : "2100C";
  };
  for (const s of tx.segments) {
    switch (s.id) {
      case "HL": {
        const code = el(s, 3);
        level = code === "20" || code === "21" || code === "22" || code === "23" ? code : null;
        if (level === null) v.segmentIssue("ELEMENT_INVALID", `HL03 "${code}" is not 20, 21, 22 or 23`, s, 3);
        benefit = null;
        named = false;
        inLs = false;
        subject = null;
        if (level === "22" || level === "23") {
          subject = {
            level: level === "22" ? "subscriber" : "dependent", lastName: null, firstName: null, idQualifier: null, memberId: null, birthDate: null, gender: null,
            relationship: null, traces: [], rejections: [], dates: [], coverageActive: null, planName: null, benefits: [],
          };
          out.subjects.push(subject);
        }
        break;
      }
      case "NM1": {
        const party = { name: el(s, 3) || null, idQualifier: el(s, 8) || null, id: el(s, 9) || null };
        if (inLs && benefit !== null) {
          benefit.relatedEntities.push({ entity: el(s, 1), name: [el(s, 3), el(s, 4)].filter((x) => x !== "").join(", ") || null, idQualifier: party.idQualifier, id: party.id });
        } else if (level === "20") Object.assign(out.informationSource, party);
        else if (level === "21") Object.assign(out.receiver, party);
        else if (subject !== null && benefit === null) {
          subject.lastName = el(s, 3) || null;
          subject.firstName = el(s, 4) || null;
          if (el(s, 9) !== "") {
            subject.memberId = el(s, 9);
            subject.idQualifier = party.idQualifier;
          }
          subject.at = place(s);
        }
        named = true;
        break;
      }
      case "TRN":
        subject?.traces.push({ type: el(s, 1), number: el(s, 2), originatorId: el(s, 3) || null, at: place(s) });
        break;
      case "DMG":
        if (subject !== null) {
          subject.birthDate = v.date(s, 2, "birth date");
          subject.gender = el(s, 3) || null;
        }
        break;
      case "INS":
        if (subject !== null) subject.relationship = el(s, 2) || null;
        break;
      case "AAA": {
        const r = rejection(s);
        const loop = aaaLoop();
        out.rejections.push({ ...r, loop });
        if (loop === "2000A" || loop === "2100A") out.informationSource.rejections.push(r);
        else if (loop === "2100B") out.receiver.rejections.push(r);
        else if (benefit !== null) benefit.rejections.push(r);
        else subject?.rejections.push(r);
        break;
      }
      case "DTP": {
        const p = v.period(s, 2, 3);
        if (p === null) break;
        const entry = { qualifier: el(s, 1), ...p, at: place(s) };
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
        inLs = false;
        benefit = {
          code: v.required(s, 1, "eligibility or benefit information code"), coverageLevel: el(s, 2) || null, serviceTypes: repetitions(s, 3),
          insuranceType: el(s, 4) || null, planDescription: el(s, 5) || null, timePeriod: el(s, 6) || null,
          amount: v.amount(s, 7, "benefit amount"), percent: percentOf(el(s, 8)), quantityQualifier: el(s, 9) || null,
          quantity: v.quantity(s, 10, "benefit quantity"), authorizationRequired: auth === "Y" ? true : auth === "N" ? false : null,
          inNetwork: net === "Y" || net === "N" || net === "W" || net === "U" ? net : null,
          procedure: proc.length === 0 ? null : { qualifier: proc[0] ?? "", code: proc[1] ?? "", modifiers: proc.slice(2, 6).filter((m) => m !== "") },
          messages: [], dates: [], rejections: [], relatedEntities: [], at: place(s),
        };
        subject.benefits.push(benefit);
        if (ACTIVE.has(benefit.code)) subject.coverageActive = true;
        else if (INACTIVE.has(benefit.code) && subject.coverageActive !== true) subject.coverageActive = false;
        if (subject.planName === null && benefit.planDescription !== null && (ACTIVE.has(benefit.code) || INACTIVE.has(benefit.code))) subject.planName = benefit.planDescription;
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
