/** 278 request and response writers (005010X217); each reads back to its reader's model. */
import type { AuthResponse278 } from "../readers/acknowledgments.js";
import type { AuthRequest278 } from "../readers/request-278.js";
import { traceOriginator } from "../trace.js";
import { SegmentWriter, d8, providerId, writeInterchange, type EnvelopeOptions } from "../writer.js";


const IMPL = "005010X217";
type Envelope = Omit<EnvelopeOptions, "functionalId" | "version">;
const stamp = (now: Date) => [d8(now.toISOString().slice(0, 10)), now.toISOString().slice(11, 16).replace(":", "")] as const;

/** A prior-authorization request: drug by HCPCS, units, dates, diagnoses, requesting and servicing provider. */
export function write278Request(req: AuthRequest278, envelope: Envelope, control = "0001"): string {
  const w = new SegmentWriter();
  w.seg("BHT", "0007", "13", req.trace ?? control, ...stamp(envelope.now));
  w.seg("HL", 1, null, "20", "1").seg("NM1", "X3", "2", req.payer.name, null, null, null, null, req.payer.idQualifier ?? "PI", req.payer.id);
  w.seg("HL", 2, 1, "21", "1").seg("NM1", "1P", "2", req.requester.name, null, null, null, null, ...providerId(req.requester));
  w.seg("HL", 3, 2, "22", "1").seg("NM1", "IL", "1", req.subscriber.lastName, req.subscriber.firstName, null, null, null, "MI", req.subscriber.memberId);
  if (req.subscriber.birthDate !== null) w.seg("DMG", "D8", d8(req.subscriber.birthDate));
  // 005010X217: a patient who is not the subscriber is the dependent (2000D, HL*23; 2010D NM1*QC
  // with DMG), and the patient event (2000E) is the dependent level's child.
  let hl = 3;
  if (req.dependent !== undefined) {
    w.seg("HL", (hl += 1), 3, "23", "1").seg("NM1", "QC", "1", req.dependent.lastName, req.dependent.firstName);
    if (req.dependent.birthDate !== null) w.seg("DMG", "D8", d8(req.dependent.birthDate), req.dependent.gender);
  }
  const eventHl = (hl += 1);
  w.seg("HL", eventHl, eventHl - 1, "EV", "1").seg("UM", "HS", "I", "2", ["11", "B"]);
  // TRN03: "1" + EIN or "9" + a user-assigned number, exactly 10 characters (X217 2000E TRN03).
  if (req.trace !== null) w.seg("TRN", "1", req.trace, req.traceOriginator ?? traceOriginator({ npi: req.requester.npi }));
  if (req.diagnoses.length > 0) w.seg("HI", ["ABK", req.diagnoses[0]], ...req.diagnoses.slice(1, 12).map((d) => ["ABF", d] as const));
  for (const m of req.messages) w.seg("MSG", m);
  for (const s of req.services) {
    w.seg("HL", (hl += 1), eventHl, "SS", "0").seg("UM", "HS", "I", "2");
    if (s.from !== null) w.seg("DTP", "472", s.to !== null && s.to !== s.from ? "RD8" : "D8", s.to !== null && s.to !== s.from ? `${d8(s.from)}-${d8(s.to)}` : d8(s.from));
    w.seg("SV1", [s.procedure.qualifier, s.procedure.code, ...s.procedure.modifiers], null, "UN", s.quantity);
    if (s.servicingProvider !== null) w.seg("NM1", "SJ", "2", s.servicingProvider.name, null, null, null, null, ...providerId(s.servicingProvider));
  }
  return writeInterchange({ ...envelope, functionalId: "HI", version: IMPL }, [{ type: "278", controlNumber: control, body: w }]);
}

/** A 278 response: certified, pended, modified or not certified, per service. */
export function write278Response(res: AuthResponse278, envelope: Envelope, control = "0001"): string {
  const w = new SegmentWriter();
  w.seg("BHT", "0007", "11", res.trace ?? control, ...stamp(envelope.now));
  w.seg("HL", 1, null, "20", "1").seg("NM1", "X3", "2", res.umo.name, null, null, null, null, res.umo.idQualifier ?? "PI", res.umo.id);
  for (const r of res.rejections) w.seg("AAA", "N", null, r.code, r.followUp);
  w.seg("HL", 2, 1, "21", "1").seg("NM1", "1P", "2", "REQUESTER");
  w.seg("HL", 3, 2, "22", res.decisions.length > 0 ? "1" : "0").seg("NM1", "IL", "1", res.subscriber.lastName, res.subscriber.firstName, null, null, null, "MI", res.subscriber.memberId);
  // Services (2000F) sit under a patient event (2000E). A response deciding services only still
  // has its event level — the requester's trace (TRN*2, echoed with its originator) and UM — with
  // no HCR of its own.
  let hl = 3;
  let eventHl: number | null = null;
  const hasServices = res.decisions.some((d) => d.level === "service");
  const event = () => {
    eventHl = (hl += 1);
    w.seg("HL", eventHl, 3, "EV", hasServices ? "1" : "0");
    if (res.trace !== null) w.seg("TRN", "2", res.trace, res.traceOriginator ?? traceOriginator({}));
    w.seg("UM", "HS", "I", "2");
  };
  for (const d of res.decisions) {
    if (d.level === "event") event();
    else {
      if (eventHl === null) event();
      w.seg("HL", (hl += 1), eventHl, "SS", "0");
      w.seg("UM", "HS", "I", "2");
    }
    w.seg("HCR", d.action, d.authorizationNumber, d.reason);
    if (d.diagnoses.length > 0) w.seg("HI", ["ABK", d.diagnoses[0]], ...d.diagnoses.slice(1, 12).map((x) => ["ABF", x] as const));
    if (d.certifiedFrom !== null) w.seg("DTP", "472", "RD8", `${d8(d.certifiedFrom)}-${d8(d.certifiedTo ?? d.certifiedFrom)}`);
    if (d.procedure !== null) w.seg("SV1", [d.procedure.qualifier, d.procedure.code, ...d.procedure.modifiers], null, d.quantityQualifier ?? "UN", d.quantity);
    for (const m of d.messages) w.seg("MSG", m);
  }
  return writeInterchange({ ...envelope, functionalId: "HI", version: IMPL }, [{ type: "278", controlNumber: control, body: w }]);
}
