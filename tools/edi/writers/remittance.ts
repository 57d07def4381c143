/** 835 remittance and 999 acknowledgment writers; each reads back to its reader's model. */
import type { Ack999 } from "../readers/acknowledgments.js";
import type { Remittance835 } from "../readers/remittance-835.js";
import { SegmentWriter, d8, writeInterchange, type EnvelopeOptions } from "../writer.js";

type Envelope = Omit<EnvelopeOptions, "functionalId" | "version">;

/**
 * Who the payer is beyond its name and id: 1000A requires the payer's address (N3, N4) and its
 * technical contact (PER*BL) in 005010X221A1. The 835 model does not carry them; the payer
 * writing the remittance supplies them.
 */
export interface PayerDetails {
  address: { line1: string; line2?: string | null; city: string; state: string; zip: string };
  technicalContact: { name: string; phone: string };
}

/** An 835 from the reader's model (the payer simulator's adjudication). */
export function write835(r: Remittance835, envelope: Envelope, control = "0001", payer: PayerDetails | null = null): string {
  const w = new SegmentWriter();
  w.seg("BPR", r.payment.handling, r.payment.amount, r.payment.creditDebit, r.payment.method, null, null, null, null, null, null, null, null, null, null, null, r.payment.date === null ? null : d8(r.payment.date));
  if (r.payment.trace !== null) w.seg("TRN", r.payment.trace.type, r.payment.trace.number, r.payment.trace.originatorId);
  if (r.productionDate !== null) w.seg("DTM", "405", d8(r.productionDate));
  w.seg("N1", "PR", r.payer.name, r.payer.idQualifier, r.payer.id);
  if (payer !== null) {
    w.seg("N3", payer.address.line1, payer.address.line2);
    w.seg("N4", payer.address.city, payer.address.state, payer.address.zip);
    w.seg("PER", "BL", payer.technicalContact.name, "TE", payer.technicalContact.phone);
  }
  w.seg("N1", "PE", r.payee.name, r.payee.idQualifier, r.payee.id);
  if (r.claims.length > 0) w.seg("LX", 1);
  for (const c of r.claims) {
    w.seg("CLP", c.patientControlNumber, c.status, c.charge, c.paid, c.patientResponsibility, c.filingIndicator, c.payerClaimControlNumber, c.facilityCode, c.frequency);
    cas(w, c.adjustments);
    for (const p of [c.patient, c.insured, c.renderingProvider]) {
      if (p !== null) w.seg("NM1", p.entity, p.entity === "82" ? "2" : "1", p.lastName, p.firstName, null, null, null, p.idQualifier, p.id);
    }
    if (c.outpatientRemarks.length > 0) w.seg("MOA", null, null, ...c.outpatientRemarks.slice(0, 5));
    for (const ref of c.references) w.seg("REF", ref.qualifier, ref.value);
    if (c.dates.statementStart !== null) w.seg("DTM", "232", d8(c.dates.statementStart));
    if (c.dates.statementEnd !== null) w.seg("DTM", "233", d8(c.dates.statementEnd));
    if (c.dates.received !== null) w.seg("DTM", "050", d8(c.dates.received));
    for (const l of c.lines) {
      const proc = (p: NonNullable<typeof l.originalProcedure>) =>
        p.description === null ? [p.qualifier, p.code, ...p.modifiers] : [p.qualifier, p.code, ...[0, 1, 2, 3].map((i) => p.modifiers[i] ?? ""), p.description];
      w.seg("SVC", proc(l.procedure), l.charge, l.paid, l.revenueCode, l.units, l.originalProcedure === null ? null : proc(l.originalProcedure), l.originalUnits);
      if (l.serviceDates.start !== null && l.serviceDates.start === l.serviceDates.end) w.seg("DTM", "472", d8(l.serviceDates.start));
      else {
        if (l.serviceDates.start !== null) w.seg("DTM", "150", d8(l.serviceDates.start));
        if (l.serviceDates.end !== null) w.seg("DTM", "151", d8(l.serviceDates.end));
      }
      cas(w, l.adjustments);
      if (l.controlNumber !== null) w.seg("REF", "6R", l.controlNumber);
      if (l.allowed !== null) w.seg("AMT", "B6", l.allowed);
      for (const q of l.remarks) w.seg("LQ", q.qualifier, q.code);
    }
  }
  for (const p of r.providerAdjustments) {
    const pairs = p.adjustments.slice(0, 6).flatMap((a) => [[a.reason, a.reference], a.amount] as const);
    w.seg("PLB", p.providerId, p.fiscalPeriodEnd === null ? null : d8(p.fiscalPeriodEnd), ...pairs);
  }
  return writeInterchange({ ...envelope, functionalId: "HP", version: "005010X221A1" }, [{ type: "835", controlNumber: control, body: w }]);
}

/** CAS segments: one per group, up to six reason/amount/quantity triples each. */
function cas(w: SegmentWriter, adjustments: Remittance835["claims"][number]["adjustments"]): void {
  const groups = new Map<string, typeof adjustments>();
  for (const a of adjustments) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  for (const [group, list] of groups) {
    for (let i = 0; i < list.length; i += 6) {
      w.seg("CAS", group, ...list.slice(i, i + 6).flatMap((a) => [a.reason, a.amount, a.quantity]));
    }
  }
}

/** A 999 acknowledgment. */
export function write999(ack: Ack999, envelope: Envelope, control = "0001"): string {
  const w = new SegmentWriter();
  w.seg("AK1", ack.functionalId, ack.groupControl, ack.version);
  for (const t of ack.transactions) {
    w.seg("AK2", t.type, t.controlNumber);
    for (const e of t.errors) {
      w.seg("IK3", e.segmentId, e.segmentPosition, e.loop, e.code);
      for (const x of e.elements) w.seg("IK4", x.position.split(":"), null, x.code, x.badValue);
    }
    w.seg("IK5", t.status, ...t.codes);
  }
  w.seg("AK9", ack.groupStatus, ack.counts.included, ack.counts.received, ack.counts.accepted);
  return writeInterchange({ ...envelope, functionalId: "FA", version: "005010X231A1" }, [{ type: "999", controlNumber: control, body: w }]);
}
