/**
 * How the prior-auth agent has the verifier check a justification read from a note: its fields
 * and summary against the note, the diagnoses of the orders the request is for, the visit's
 * orders (drugs, doses, cycles), the drug catalogue, and the dates and units the tools computed.
 * The result is recorded as a tool call (verdicts only: the note's text stays out of the log).
 */
import type { PlatformServices } from "../../src/orchestration/agent-definition.js";
import type { StepContext } from "../../src/orchestration/audit-recorder.js";
import type { CodingTables } from "../../tools/coding/coding-tables.js";
import {
  verifyExtraction, type ExtractedField, type ExtractionVerification, type VerificationFacts,
} from "../../tools/verification/verify-extraction.js";
import type { VisitChart } from "../shared/chart.js";
import type { ClinicalJustification } from "./note-extraction.js";
import type { DrugAuthCheck } from "./state.js";

/** The fields a request rests on: without them verified, its confidence stays below the threshold. */
const REQUIRED = ["diagnosis", "plan"];

/** The justification's fields as the verifier reads them. */
export function justificationFields(j: ClinicalJustification): ExtractedField[] {
  const out: ExtractedField[] = [];
  if (j.diagnosis !== null) out.push({ field: "diagnosis", kind: "diagnosis", value: j.diagnosis.value, quote: j.diagnosis.quote, codes: j.diagnosis.icd10 });
  if (j.stage !== null) out.push({ field: "stage", kind: "stage", value: j.stage.value, quote: j.stage.quote });
  j.biomarkers.forEach((b, i) => out.push({ field: `biomarkers[${i}]`, kind: "finding", value: b.value, quote: b.quote }));
  if (j.ecog !== null) out.push({ field: "ecog", kind: "ecog", value: String(j.ecog.value), quote: j.ecog.quote });
  if (j.priorTherapy !== null) out.push({ field: "priorTherapy", kind: "prior-therapy", value: j.priorTherapy.value, quote: j.priorTherapy.quote });
  if (j.plan !== null) out.push({ field: "plan", kind: "plan", value: j.plan.value, quote: j.plan.quote });
  return out;
}

/** The diagnoses on the orders that need a request (the order's codes, else the problem list), with their displays. */
export function orderDiagnoses(chart: VisitChart, needing: DrugAuthCheck[]): { icd10: string; display: string | null }[] {
  const codes = [...new Set(needing.flatMap((d) => d.diagnosisCodes))];
  return codes.map((icd10) => ({ icd10, display: chart.diagnoses.find((x) => x.icd10 === icd10)?.display ?? null }));
}

/** What the tools know about this visit, for the verifier. */
export function verificationFacts(chart: VisitChart, needing: DrugAuthCheck[], tables: CodingTables): VerificationFacts {
  const catalogue = tables.drugs;
  const brandOf = (name: string, hcpcs: string | null) => (hcpcs === null ? undefined : catalogue.byCode(hcpcs))?.brand ?? catalogue.byDrugName(name)?.brand ?? null;
  return {
    diagnoses: orderDiagnoses(chart, needing).map((d) => ({ code: d.icd10, display: d.display })),
    orderedDrugs: chart.orders.map((o) => ({ name: catalogue.byCode(o.hcpcs ?? "")?.name ?? o.drugName, brand: brandOf(o.drugName, o.hcpcs) })),
    knownDrugs: catalogue.all().map((d) => ({ name: d.name, brand: d.brand })),
    doses: chart.orders.flatMap((o) => (o.dose === null ? [] : [{ value: String(o.dose.value), unit: o.dose.unit }])),
    cycleDays: [...new Set(chart.orders.flatMap((o) => (o.cycleDays === null ? [] : [o.cycleDays])))],
    dates: [chart.appointment.dateOfService, ...needing.flatMap((d) => (d.needsRequest === null ? [] : [d.needsRequest.from, d.needsRequest.to]))],
    units: needing.flatMap((d) => [d.units, d.needsRequest?.units ?? null].filter((u): u is number => u !== null)),
  };
}

/** Verifies a justification read from `note`, recorded in the visit's trail. */
export async function verifyJustification(
  services: PlatformServices, ctx: StepContext, input: { noteId: string; note: string; justification: ClinicalJustification; chart: VisitChart; needing: DrugAuthCheck[]; tables: CodingTables },
): Promise<ExtractionVerification> {
  const fields = justificationFields(input.justification);
  const facts = verificationFacts(input.chart, input.needing, input.tables);
  return services.audit.toolCall(ctx, "verification.clinical-justification", {
    noteId: input.noteId, fields: fields.map((f) => f.field), orderDiagnoses: facts.diagnoses.map((d) => d.code), orderedDrugs: facts.orderedDrugs.map((d) => d.name),
  }, () => verifyExtraction({ source: input.note, fields, summary: input.justification.summary, required: REQUIRED, facts }));
}
