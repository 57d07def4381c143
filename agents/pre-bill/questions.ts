/**
 * Documentation queries: when the record cannot support a line, the tools do not guess — a person
 * who documented the visit is asked. Who is asked, and what, follows from the finding's code; the
 * question quotes the tools' facts (the finding's rationale), never a model's text.
 */
import type { FindingCode } from "../../tools/claim/visit-record.js";
import type { ScrubFinding } from "./scrub-result.js";

/** Who answers a documentation query. */
export type QueryRecipient = "nurse" | "physician";

/** Findings a documentation query answers, with who is asked and what to document. */
const ASK: Partial<Record<FindingCode, { to: QueryRecipient; ask: string }>> = {
  ADMIN_TIME_MISSING: { to: "nurse", ask: "Please document the infusion's stop time on the MAR so the administration can be coded." },
  ADMIN_NOT_DOCUMENTED: { to: "nurse", ask: "Please document the administration on the MAR, or confirm it was not performed so the charge is removed." },
  WASTE_UNDOCUMENTED: { to: "nurse", ask: "Please document the amount discarded and why, or confirm nothing was discarded so the JW line is removed." },
  WASTE_VIAL_MISMATCH: { to: "nurse", ask: "Please confirm the number and size of the vials opened and the amount discarded." },
  DX_LINK: { to: "physician", ask: "Please confirm the diagnosis that supports this service, or document the indication." },
  DRUG_NOT_CHARGED: { to: "nurse", ask: "Please confirm the drug, dose and NDC administered so the drug line can be charged." },
  ADMIN_NOT_CHARGED: { to: "nurse", ask: "Please confirm the administration's start and stop times so it can be charged." },
};

/** Whether a finding is answered by a documentation query (and by whom), or null. */
export function queryFor(f: ScrubFinding): { to: QueryRecipient; ask: string } | null {
  if (f.autoCorrectable) return null;
  return ASK[f.code] ?? null;
}

/** The question to one recipient about a visit's findings: each finding's facts, then what to document. */
export function questionText(dateOfService: string, findings: readonly ScrubFinding[]): string {
  const parts = findings.map((f) => `${f.code}${f.lineId === null ? "" : ` (charge ${f.lineId})`}: ${f.rationale} ${queryFor(f)?.ask ?? ""}`.trim());
  return `Visit of ${dateOfService} — before the claim can be billed: ${parts.join(" ")}`;
}
