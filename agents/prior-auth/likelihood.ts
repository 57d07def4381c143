/**
 * How likely the payer is to approve an authorization for a scheduled drug, 0–1, with the
 * reasons: the payer's decisions on this drug so far (our database: approved vs denied, with a
 * uniform prior so a payer we have not seen scores in the middle), whether the diagnosis is one
 * the payer covers, and how complete the clinical documentation is.
 */
import type { DrugAuthCheck } from "./state.js";

/** The score and why. */
export interface ApprovalLikelihood {
  score: number;
  reasons: string[];
}

/** Documentation as read from the note: share of expected fields present and what is missing. */
export interface Documentation {
  completeness: number;
  missing: string[];
}

const WEIGHTS = { floor: 0.1, history: 0.4, documentation: 0.3, diagnosis: 0.2 };
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Scores one drug's check. `documentation` is null when no note was read. */
export function approvalLikelihood(check: DrugAuthCheck, documentation: Documentation | null): ApprovalLikelihood {
  if (!check.authRequired) return { score: 1, reasons: ["No authorization for the clinic to obtain"] };
  if (check.authValid === true) {
    return { score: 1, reasons: [`Approved authorization ${check.authNumber ?? ""} on file covers this dose`.replace("  ", " ")] };
  }
  const { approved, denied } = check.history;
  // Laplace's rule of succession: (approved + 1) / (decided + 2).
  const rate = (approved + 1) / (approved + denied + 2);
  const docs = documentation?.completeness ?? 0;
  const dx = check.diagnosisMatchesRule !== false;
  let score = WEIGHTS.floor + WEIGHTS.history * rate + WEIGHTS.documentation * docs + (dx ? WEIGHTS.diagnosis : 0);
  const reasons = [
    `Payer history for ${check.hcpcs}: ${approved} approved, ${denied} denied (approval rate ${Math.round(rate * 100)} % with prior)`,
    documentation === null
      ? "No clinical note on file to justify the request"
      : `Documentation ${Math.round(docs * 100)} % complete${documentation.missing.length === 0 ? "" : `; missing ${documentation.missing.join(", ")}`}`,
    dx ? `Diagnosis ${check.diagnosisCodes.join(", ") || "(none)"} is within the payer's covered diagnoses` : `Diagnosis ${check.diagnosisCodes.join(", ") || "(none)"} is outside the payer's covered diagnoses`,
  ];
  if (!dx && check.deniedOutsideDiagnoses) {
    score = Math.min(score, 0.05);
    reasons.push("The payer does not certify this drug outside its covered diagnoses");
  }
  if (check.reasons.includes("auth-denied")) {
    score = Math.min(score, 0.2);
    reasons.push("The payer already did not certify a request for this drug");
  }
  return { score: round2(Math.min(Math.max(score, 0), 1)), reasons };
}
