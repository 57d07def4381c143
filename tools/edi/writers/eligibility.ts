/**
 * 270 (eligibility inquiry) and 271 (response) writers; each reads back to its reader's model.
 * A batch (`write270Batch`, `write271Batch`) is one interchange and one functional group with a
 * transaction set per inquiry or answer, ST02 numbered 0001, 0002 … in order.
 */
import { BadInputError } from "../../errors.js";
import type { Eligibility271 } from "../readers/eligibility-271.js";
import type { EligibilityRequest270 } from "../readers/request-270.js";
import { traceOriginator } from "../trace.js";
import { SegmentWriter, d8, providerId, rep, writeInterchange, type EnvelopeOptions, type TransactionBody } from "../writer.js";

const IMPL = "005010X279A1";
type Envelope = Omit<EnvelopeOptions, "functionalId" | "version">;

/** ST02 of the n-th (0-based) transaction set of a batch. */
export const batchControl = (n: number): string => String(n + 1).padStart(4, "0");

function batch<T>(kind: string, items: readonly T[], transaction: (item: T, control: string) => TransactionBody): TransactionBody[] {
  if (items.length === 0) throw new BadInputError(`A batch ${kind} needs at least one transaction set`, { code: "INVALID_X12" });
  return items.map((item, n) => transaction(item, batchControl(n)));
}

/** A 270 for one subscriber (or one dependent of a subscriber), date of service and service types (and drugs asked about, EQ02). */
export function write270(request: EligibilityRequest270, envelope: Envelope, control = "0001"): string {
  return writeInterchange({ ...envelope, functionalId: "HS", version: IMPL }, [transaction270(request, envelope.now, control)]);
}

/** One 270 interchange holding an inquiry (ST … SE) per request; the requests' TRN traces tell their answers apart. */
export function write270Batch(requests: readonly EligibilityRequest270[], envelope: Envelope): string {
  return writeInterchange({ ...envelope, functionalId: "HS", version: IMPL }, batch("270", requests, (r, control) => transaction270(r, envelope.now, control)));
}

/** A 271 from the reader's model (the payer simulator's answer). */
export function write271(response: Eligibility271, envelope: Envelope, control = "0001"): string {
  return writeInterchange({ ...envelope, functionalId: "HB", version: IMPL }, [transaction271(response, envelope.now, control)]);
}

/** One 271 interchange answering a batch 270: a transaction set per answer, in order. */
export function write271Batch(responses: readonly Eligibility271[], envelope: Envelope): string {
  return writeInterchange({ ...envelope, functionalId: "HB", version: IMPL }, batch("271", responses, (r, control) => transaction271(r, envelope.now, control)));
}

function transaction270(request: EligibilityRequest270, now: Date, control: string): TransactionBody {
  const w = new SegmentWriter();
  w.seg("BHT", "0022", "13", request.trace ?? control, d8(now.toISOString().slice(0, 10)), now.toISOString().slice(11, 16).replace(":", ""));
  w.seg("HL", 1, null, "20", "1").seg("NM1", "PR", "2", request.payer.name, null, null, null, null, request.payer.idQualifier ?? "PI", request.payer.id);
  w.seg("HL", 2, 1, "21", "1").seg("NM1", "1P", "2", request.provider.name, null, null, null, null, ...providerId(request.provider));
  // 005010X279A1: a patient who is not the subscriber and has no unique member id is asked about in
  // 2000D (HL*23, NM1*03) under the subscriber's 2000C (NM1*IL with the member id); the trace, date
  // and service types then stand at the dependent level.
  const { subscriber, dependent } = request;
  w.seg("HL", 3, 2, "22", dependent === undefined ? "0" : "1");
  if (dependent !== undefined) {
    w.seg("NM1", "IL", "1", subscriber.lastName, subscriber.firstName, null, null, null, "MI", subscriber.memberId);
    if (subscriber.birthDate !== null) w.seg("DMG", "D8", d8(subscriber.birthDate));
    w.seg("HL", 4, 3, "23", "0");
  }
  if (request.trace !== null) w.seg("TRN", "1", request.trace, traceOriginator({ npi: request.provider.npi })); // TRN03 AN 10/10 (X279A1 2000C/2000D)
  if (dependent === undefined) {
    w.seg("NM1", "IL", "1", subscriber.lastName, subscriber.firstName, null, null, null, "MI", subscriber.memberId);
    if (subscriber.birthDate !== null) w.seg("DMG", "D8", d8(subscriber.birthDate));
  } else {
    w.seg("NM1", "03", "1", dependent.lastName, dependent.firstName);
    if (dependent.birthDate !== null) w.seg("DMG", "D8", d8(dependent.birthDate), dependent.gender);
  }
  if (request.dateOfService !== null) w.seg("DTP", "291", "D8", d8(request.dateOfService));
  if (request.serviceTypes.length > 0) w.seg("EQ", rep(request.serviceTypes));
  for (const p of request.procedures) w.seg("EQ", null, ["HC", p]);
  return { type: "270", controlNumber: control, body: w };
}

function transaction271(response: Eligibility271, now: Date, control: string): TransactionBody {
  const w = new SegmentWriter();
  w.seg("BHT", "0022", "11", control, d8(now.toISOString().slice(0, 10)), now.toISOString().slice(11, 16).replace(":", ""));
  const src = response.informationSource;
  w.seg("HL", 1, null, "20", "1").seg("NM1", "PR", "2", src.name, null, null, null, null, src.idQualifier, src.id);
  for (const r of src.rejections) w.seg("AAA", r.valid ?? "N", null, r.code, r.followUp);
  w.seg("HL", 2, 1, "21", response.subjects.length > 0 ? "1" : "0").seg("NM1", "1P", "2", response.receiver.name, null, null, null, null, response.receiver.idQualifier, response.receiver.id);
  for (const r of response.receiver.rejections) w.seg("AAA", r.valid ?? "N", null, r.code, r.followUp);
  let hl = 2;
  let subscriberHl = 2;
  response.subjects.forEach((s, n) => {
    hl += 1;
    if (s.level === "subscriber") subscriberHl = hl;
    // HL04: a subscriber followed by its dependents has children.
    const children = s.level === "subscriber" && response.subjects[n + 1]?.level === "dependent" ? "1" : "0";
    w.seg("HL", hl, s.level === "subscriber" ? 2 : subscriberHl, s.level === "subscriber" ? "22" : "23", children);
    for (const t of s.traces) w.seg("TRN", "2", t.number, t.originatorId);
    w.seg("NM1", s.level === "subscriber" ? "IL" : "03", "1", s.lastName, s.firstName, null, null, null, s.memberId === null ? null : s.idQualifier ?? "MI", s.memberId);
    // 2100C/D order (TR3): NM1, AAA, DMG, INS, DTP; then each 2110 EB with its DTP, AAA and MSG.
    for (const r of s.rejections) w.seg("AAA", r.valid ?? "N", null, r.code, r.followUp);
    if (s.birthDate !== null) w.seg("DMG", "D8", d8(s.birthDate), s.gender);
    if (s.relationship != null) w.seg("INS", s.level === "subscriber" ? "Y" : "N", s.relationship);
    for (const d of s.dates) w.seg("DTP", d.qualifier, d.start === d.end ? "D8" : "RD8", d.start === d.end ? d8(d.start) : `${d8(d.start)}-${d8(d.end)}`);
    for (const b of s.benefits) {
      const percent = b.percent === null ? null : b.percent.replace(/^0\./, ".");
      w.seg("EB", b.code, b.coverageLevel, b.serviceTypes.length === 0 ? null : rep(b.serviceTypes), b.insuranceType, b.planDescription, b.timePeriod,
        b.amount, percent, b.quantityQualifier, b.quantity, b.authorizationRequired === null ? null : b.authorizationRequired ? "Y" : "N", b.inNetwork,
        b.procedure === null ? null : [b.procedure.qualifier, b.procedure.code, ...b.procedure.modifiers]);
      for (const d of b.dates) w.seg("DTP", d.qualifier, d.start === d.end ? "D8" : "RD8", d.start === d.end ? d8(d.start) : `${d8(d.start)}-${d8(d.end)}`);
      for (const r of b.rejections) w.seg("AAA", r.valid ?? "N", null, r.code, r.followUp);
      for (const m of b.messages) w.seg("MSG", m);
      if (b.relatedEntities.length > 0) {
        w.seg("LS", "2120");
        for (const e of b.relatedEntities) w.seg("NM1", e.entity, "2", e.name, null, null, null, null, e.idQualifier, e.id);
        w.seg("LE", "2120");
      }
    }
  });
  return { type: "271", controlNumber: control, body: w };
}
