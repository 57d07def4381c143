/**
 * 277CA Health Care Claim Acknowledgment (005010X214) writer: the answer a payer (or a
 * clearinghouse) sends for the claims of an 837 before adjudication — accepted into adjudication
 * (STC A2:20) or rejected (A3 returned as unprocessable, A6 missing, A7 invalid, with the claim
 * status code saying what). What it writes reads back to `read277`'s model.
 *
 * Layout (X214): 2000A information source (HL 20, NM1*PR or AY) with its receipt trace
 * (2200A TRN*1, DTP*050 received, DTP*009 processed); 2000B information receiver (HL 21,
 * NM1*41) with the batch acknowledgment (2200B TRN*2, STC, QTY*90/AA, AMT*YU/YY); 2000C billing
 * provider (HL 19, NM1*85); 2000D patient (HL PT, NM1*QC) with the claim (2200D TRN*2 patient
 * control number, STC, REF*1K payer claim control number, DTP*472) and its lines (2220D SVC,
 * STC, REF*FJ, DTP*472).
 */
import { BadInputError } from "../../errors.js";
import type { ClaimStatus277 } from "../readers/acknowledgments.js";
import { SegmentWriter, d8, providerId, writeInterchange, type EnvelopeOptions } from "../writer.js";

type Envelope = Omit<EnvelopeOptions, "functionalId" | "version">;
type Status = ClaimStatus277["claims"][number]["statuses"][number];
type Claim = ClaimStatus277["claims"][number];

/** What the acknowledgment says beyond the reader's model: who sends it, its receipt trace and dates. */
export interface Acknowledgment277Header {
  /** 2100A: the payer (PR) or clearinghouse (AY) acknowledging, with its id (PI payer id, 46 ETIN). */
  source: { entity: "PR" | "AY"; name: string; idQualifier: "PI" | "46"; id: string };
  /** 2200A TRN02: the source's trace of this receipt. */
  receiptTrace: string;
  /** DTP*050: when the 837 was received; DTP*009: when it was processed (YYYY-MM-DD). */
  received: string;
  processed: string;
  /** BHT03: this 277CA's reference. */
  reference: string;
}

const period = (from: string | null, to: string | null): [string, string] | null =>
  from === null ? null : to === null || to === from ? ["D8", d8(from)] : ["RD8", `${d8(from)}-${d8(to)}`];

function stc(w: SegmentWriter, s: Status): void {
  w.seg("STC", [s.category, s.status, s.entity], s.date === null ? null : d8(s.date), s.action, s.amount);
}

/** Claims in order, grouped by their billing provider (consecutive claims of one provider share a 2000C). */
function byProvider(claims: readonly Claim[]): { provider: Claim["provider"]; claims: Claim[] }[] {
  const out: { provider: Claim["provider"]; claims: Claim[] }[] = [];
  for (const c of claims) {
    const last = out[out.length - 1];
    if (last !== undefined && JSON.stringify(last.provider) === JSON.stringify(c.provider)) last.claims.push(c);
    else out.push({ provider: c.provider, claims: [c] });
  }
  return out;
}

/** Writes one 277CA for one receiver's batch (exactly one `batches` entry). */
export function write277CA(ack: ClaimStatus277, header: Acknowledgment277Header, envelope: Envelope, control = "0001"): string {
  const [batch, ...more] = ack.batches;
  if (batch === undefined || more.length > 0) throw new BadInputError("A 277CA acknowledges exactly one receiver's batch (2000B)", { code: "INVALID_X12" });
  const w = new SegmentWriter();
  const now = envelope.now.toISOString();
  // BHT01 0085 information source–receiver–provider–patient; BHT02 08 status; BHT06 TH receipt acknowledgment.
  w.seg("BHT", "0085", "08", header.reference, d8(now.slice(0, 10)), now.slice(11, 13) + now.slice(14, 16), "TH");
  let hl = 1;
  w.seg("HL", 1, null, "20", "1");
  w.seg("NM1", header.source.entity, "2", header.source.name, null, null, null, null, header.source.idQualifier, header.source.id);
  w.seg("TRN", "1", header.receiptTrace);
  w.seg("DTP", "050", "D8", d8(header.received));
  w.seg("DTP", "009", "D8", d8(header.processed));
  const receiverHl = (hl += 1);
  w.seg("HL", receiverHl, 1, "21", ack.claims.length > 0 ? "1" : "0");
  w.seg("NM1", "41", "2", batch.receiver.name, null, null, null, null, batch.receiver.idQualifier, batch.receiver.id);
  w.seg("TRN", "2", batch.trace);
  for (const s of batch.statuses) stc(w, s);
  if (batch.acceptedQuantity !== null) w.seg("QTY", "90", batch.acceptedQuantity);
  if (batch.rejectedQuantity !== null) w.seg("QTY", "AA", batch.rejectedQuantity);
  if (batch.acceptedAmount !== null) w.seg("AMT", "YU", batch.acceptedAmount);
  if (batch.rejectedAmount !== null) w.seg("AMT", "YY", batch.rejectedAmount);
  for (const group of byProvider(ack.claims)) {
    let parent = receiverHl;
    if (group.provider !== null) {
      parent = hl += 1;
      w.seg("HL", parent, receiverHl, "19", "1");
      const [qualifier, id] = providerId(group.provider);
      w.seg("NM1", "85", "2", group.provider.name, null, null, null, null, qualifier, id);
    }
    for (const c of group.claims) {
      w.seg("HL", (hl += 1), parent, "PT");
      w.seg("NM1", "QC", "1", c.patient.lastName, c.patient.firstName, null, null, null, c.patient.idQualifier, c.patient.memberId);
      w.seg("TRN", "2", c.patientControlNumber);
      for (const s of c.statuses) stc(w, s);
      if (c.payerClaimControlNumber !== null) w.seg("REF", "1K", c.payerClaimControlNumber);
      const dates = period(c.serviceFrom, c.serviceTo);
      if (dates !== null) w.seg("DTP", "472", ...dates);
      for (const l of c.lines) {
        w.seg("SVC", l.procedure === null ? null : [l.procedure.qualifier, l.procedure.code, ...l.procedure.modifiers], l.charge, null, l.revenueCode, null, null, l.units);
        for (const s of l.statuses) stc(w, s);
        if (l.lineControlNumber !== null) w.seg("REF", "FJ", l.lineControlNumber);
        const lineDates = period(l.serviceFrom, l.serviceTo);
        if (lineDates !== null) w.seg("DTP", "472", ...lineDates);
      }
    }
  }
  return writeInterchange({ ...envelope, functionalId: "HN", version: "005010X214" }, [{ type: "277", controlNumber: control, body: w }]);
}
