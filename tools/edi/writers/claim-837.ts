/**
 * 837P (005010X222A1) and 837I (005010X223A2) writers from the claim model: billing provider
 * (2000A/2010AA), subscriber and payer (2000B/2010BA/BB), a dependent patient (2000C/2010CA), claim (2300 CLM, REF*G1 prior
 * authorization, HI diagnoses), service lines (2400 SV1/SV2, DTP*472, REF*6R, NTE) and drug
 * identification (2410 LIN*N4 NDC with CTP quantity and unit). JW/JZ ride as line modifiers.
 */
import { BadInputError } from "../../errors.js";
import { Claim, ClaimUnbalancedError, type ClaimInput } from "../../claim/claim.js";
import { SegmentWriter, d8, writeInterchange, type EnvelopeOptions } from "../writer.js";

export { ClaimUnbalancedError } from "../../claim/claim.js";

/** Who sends and receives the claims. */
export interface ClaimParties {
  submitter: { name: string; id: string; contactName: string; phone: string };
  receiver: { name: string; id: string };
}

export const IMPLEMENTATION = { "837P": "005010X222A1", "837I": "005010X223A2" } as const;

/** Writes claims of one form as an interchange with one 837 transaction. */
export function write837(
  input: ClaimInput[],
  parties: ClaimParties,
  envelope: Omit<EnvelopeOptions, "functionalId" | "version">,
  transactionControl = "0001",
): string {
  // Every claim goes through the model, even one typed as a Claim: a parsed claim changed
  // afterwards (a line charge edited) must not reach the wire unbalanced.
  const claims = input.map((c, i) => {
    const parsed = Claim.safeParse(c);
    if (!parsed.success) {
      const unbalanced = parsed.error.issues.find((x) => x.code === "custom" && (x as { params?: { rule?: string } }).params?.rule === "CLAIM_UNBALANCED");
      if (unbalanced !== undefined) {
        throw new ClaimUnbalancedError(String(c.claimId), String(c.totalCharge), String((unbalanced as { params?: { lineTotal?: string } }).params?.lineTotal));
      }
      throw new BadInputError(`Claim ${i + 1} is invalid: ${parsed.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`, { code: "INVALID_X12" });
    }
    return parsed.data;
  });
  const form = claims[0]?.form;
  if (form === undefined) throw new BadInputError("No claims to write", { code: "INVALID_X12" });
  if (claims.some((c) => c.form !== form)) throw new BadInputError("Claims of one interchange must share a form (837P or 837I)", { code: "INVALID_X12" });
  const w = new SegmentWriter();
  const now = envelope.now.toISOString();
  w.seg("BHT", "0019", "00", `${transactionControl}${now.slice(0, 10).replaceAll("-", "")}`, d8(now.slice(0, 10)), now.slice(11, 13) + now.slice(14, 16), "CH");
  w.seg("NM1", "41", "2", parties.submitter.name, null, null, null, null, "46", parties.submitter.id);
  w.seg("PER", "IC", parties.submitter.contactName, "TE", parties.submitter.phone);
  w.seg("NM1", "40", "2", parties.receiver.name, null, null, null, null, "46", parties.receiver.id);
  let hl = 0;
  const byProvider = new Map<string, Claim[]>();
  for (const c of claims) byProvider.set(c.billingProvider.npi, [...(byProvider.get(c.billingProvider.npi) ?? []), c]);
  for (const group of byProvider.values()) {
    const provider = (group[0] as Claim).billingProvider;
    const providerHl = (hl += 1);
    w.seg("HL", providerHl, null, "20", "1");
    w.seg("NM1", "85", "2", provider.name, null, null, null, null, "XX", provider.npi);
    w.seg("N3", provider.address.line1, provider.address.line2);
    w.seg("N4", provider.address.city, provider.address.state, provider.address.zip);
    w.seg("REF", "EI", provider.taxId);
    for (const c of group) {
      const subscriberHl = (hl += 1);
      // HL04 1: a patient level (2000C) follows when the patient is a dependent.
      w.seg("HL", subscriberHl, providerHl, "22", c.patient === null ? "0" : "1");
      // SBR02 is 18 (self) when the patient is the subscriber and is left out otherwise: the
      // relationship then rides in PAT01 (X222A1 / X223A2 2000B SBR02 situational rule).
      w.seg("SBR", "P", c.patient === null ? "18" : null, c.subscriber.groupNumber, null, null, null, null, null, c.subscriber.filingIndicator);
      w.seg("NM1", "IL", "1", c.subscriber.lastName, c.subscriber.firstName, null, null, null, "MI", c.subscriber.memberId);
      if (c.subscriber.address !== null) {
        w.seg("N3", c.subscriber.address.line1, c.subscriber.address.line2);
        w.seg("N4", c.subscriber.address.city, c.subscriber.address.state, c.subscriber.address.zip);
      }
      w.seg("DMG", "D8", d8(c.subscriber.birthDate), c.subscriber.gender);
      w.seg("NM1", "PR", "2", c.payer.name, null, null, null, null, "PI", c.payer.id);
      if (c.patient !== null) {
        // 2000C/2010CA: the dependent patient; the 2300 claim follows in this loop.
        const p = c.patient;
        w.seg("HL", (hl += 1), subscriberHl, "23", "0");
        w.seg("PAT", p.relationship);
        w.seg("NM1", "QC", "1", p.lastName, p.firstName);
        w.seg("N3", p.address.line1, p.address.line2);
        w.seg("N4", p.address.city, p.address.state, p.address.zip);
        w.seg("DMG", "D8", d8(p.birthDate), p.gender);
      }
      writeClaim(w, c);
    }
  }
  return writeInterchange({ ...envelope, functionalId: "HC", version: IMPLEMENTATION[form] }, [{ type: "837", controlNumber: transactionControl, body: w }]);
}

function writeClaim(w: SegmentWriter, c: Claim): void {
  const institutional = c.form === "837I";
  const location = institutional ? c.facilityType : c.placeOfService;
  if (location === null) throw new BadInputError(`Claim ${c.claimId}: ${institutional ? "facilityType" : "placeOfService"} is required`, { code: "INVALID_X12" });
  // CLM05: facility code : qualifier (B place of service, A uniform billing) : frequency.
  w.seg("CLM", c.claimId, c.totalCharge, null, null, [location, institutional ? "A" : "B", c.frequency], institutional ? null : "Y", "A", "Y", "Y");
  if (institutional && c.statementFrom !== null) w.seg("DTP", "434", "RD8", `${d8(c.statementFrom)}-${d8(c.statementTo ?? c.statementFrom)}`);
  if (institutional) w.seg("CL1", "3", null, "01");
  if (c.priorAuthorization !== null) w.seg("REF", "G1", c.priorAuthorization);
  const [principal, ...others] = c.diagnoses;
  w.seg("HI", ["ABK", principal], ...others.slice(0, 11).map((d) => ["ABF", d] as const));
  c.lines.forEach((l, i) => {
    w.seg("LX", i + 1);
    const procedure = ["HC", l.procedure.code, ...l.procedure.modifiers];
    if (institutional) {
      if (l.revenueCode === null) throw new BadInputError(`Claim ${c.claimId} line ${i + 1}: 837I lines need a revenue code`, { code: "INVALID_X12" });
      w.seg("SV2", l.revenueCode, procedure, l.charge, l.unitBasis, l.units);
    } else {
      w.seg("SV1", procedure, l.charge, l.unitBasis, l.units, null, null, l.diagnosisPointers.map(String));
    }
    w.seg("DTP", "472", l.serviceDateEnd === null ? "D8" : "RD8", l.serviceDateEnd === null ? d8(l.serviceDate) : `${d8(l.serviceDate)}-${d8(l.serviceDateEnd)}`);
    if (l.lineControlNumber !== null) w.seg("REF", "6R", l.lineControlNumber);
    if (l.note !== null) w.seg("NTE", "ADD", l.note);
    if (l.drug !== null) {
      w.seg("LIN", null, "N4", l.drug.ndc11);
      w.seg("CTP", null, null, null, l.drug.quantity, l.drug.unit);
    }
  });
}
