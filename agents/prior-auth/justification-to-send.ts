/**
 * What an authorization request may say about the patient: the justification the model read,
 * when the verifier supported all of it; otherwise only its verified fields, and as text the
 * tools' facts — the order's diagnoses, the drug, units and dates — pointing to the attached note
 * for a person to complete. Unverified model text never reaches a payer.
 */
import type { VisitChart } from "../shared/chart.js";
import { keepVerified, type ClinicalJustification } from "./note-extraction.js";
import type { DrugAuthCheck, PriorAuthStateValue } from "./state.js";

/** What a request says when the model's reading was not verified: the tools' facts and the note, for a person to complete. */
export function factsJustification(chart: VisitChart, d: DrugAuthCheck, noteOnFile: boolean): string {
  const dx = d.diagnosisCodes.map((c) => {
    const display = chart.diagnoses.find((x) => x.icd10 === c)?.display;
    return display == null || display === c ? c : `${c} ${display}`;
  });
  return [
    `Diagnosis on the order: ${dx.join("; ") || "see attached records"}.`,
    `Requested: ${d.drug} (${d.hcpcs})${d.needsRequest === null ? "" : `, ${d.needsRequest.units} units from ${d.needsRequest.from} to ${d.needsRequest.to}`}.`,
    noteOnFile ? "Clinical documentation: see the attached progress note." : "Clinical documentation: see attached records.",
  ].join(" ");
}

/** The justification a request may carry: the verified reading, or only its verified fields with the tools' facts as its summary. */
export function justificationToSend(state: PriorAuthStateValue, fallback: string): ClinicalJustification | null {
  const j = state.justification;
  if (j == null) return null;
  const v = state.verification;
  if (v?.verified === true) return j;
  const supported = new Set((v?.verdicts ?? []).filter((x) => x.verdict === "supported").map((x) => x.field));
  return keepVerified(j, supported, fallback);
}
