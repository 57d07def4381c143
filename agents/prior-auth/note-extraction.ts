/**
 * The clinical justification of an authorization request, as read from a progress note:
 * diagnosis, stage, biomarkers, performance status, prior therapy and plan. The model extracts
 * it; the offline provider runs `extractJustificationOffline`, deterministic rules over the text.
 */
import { z } from "zod";

/** What a payer's reviewer looks for in the notes (NCCN-style medical necessity). */
export const ClinicalJustification = z.object({
  diagnosis: z.string().nullable().describe("The cancer diagnosis as the note states it"),
  stage: z.string().nullable().describe("Stage, e.g. IV or IIIB"),
  biomarkers: z.array(z.string()).describe("Biomarker results, one sentence each (PD-L1, HER2, EGFR …)"),
  ecog: z.number().int().min(0).max(4).nullable().describe("ECOG performance status 0–4"),
  priorTherapy: z.string().nullable().describe("Prior lines of therapy, or 'none (first line)'"),
  plan: z.string().nullable().describe("The treatment plan naming the drug(s)"),
  summary: z.string().min(1).describe("Two or three sentences of medical necessity for the payer's reviewer"),
});
export type ClinicalJustification = z.infer<typeof ClinicalJustification>;

/** The fields a complete justification has. */
export const JUSTIFICATION_FIELDS = ["diagnosis", "stage", "biomarkers", "ecog", "priorTherapy", "plan"] as const;

const BIOMARKER = /\b(PD-L1|TPS|HER2|ER\/PR|EGFR|ALK|ROS1|KRAS|NRAS|BRAF|MSI|MMR|CD20|PSA|castration)/i;
const DIAGNOSIS_WORDS = /\b(NSCLC|SCLC|[A-Za-z ,-]*?(?:neoplasm|carcinoma|cancer|lymphoma|leukemia|melanoma|myeloma)[A-Za-z ,-]*)/i;

const sentences = (text: string): string[] => text.split(/(?<=\.)\s+|\n+/).map((s) => s.trim()).filter((s) => s !== "");
const clean = (s: string | undefined): string | null => {
  const t = s?.trim().replace(/[.;,]+$/, "") ?? "";
  return t === "" ? null : t;
};

/** Deterministic extraction over a note; `fallbackDiagnosis` is the chart's problem list. */
export function extractJustificationOffline(note: string, fallbackDiagnosis: string | null): ClinicalJustification {
  const named = clean(/patient with ([^\n]+?),\s*stage\b/i.exec(note)?.[1]) ?? clean(DIAGNOSIS_WORDS.exec(note)?.[1]?.replace(/^\s*stage\s+\S+\s+/i, ""));
  const diagnosis = named ?? fallbackDiagnosis;
  const stage = clean(/\bstage\s+(0|I{1,3}V?[A-C]?\d?|IV[A-C]?)\b/i.exec(note)?.[1])?.toUpperCase() ?? null;
  const biomarkers = sentences(note).filter((s) => BIOMARKER.test(s) && !/^plan\b/i.test(s)).map((s) => s.replace(/\s*stage [^.]*\./i, "").trim()).filter((s) => s !== "");
  const ecogText = /\bECOG(?:\s+performance\s+status)?(?:\s+(?:of|is|=|:))?\s*([0-4])\b/i.exec(note)?.[1];
  const priorTherapy = clean(/prior (?:therapy|treatment|lines?)\s*:?\s*([^\n.]+)/i.exec(note)?.[1]);
  const plan = clean(/\bplan\s*:?\s*([^\n.]+)/i.exec(note)?.[1]);
  const value = { diagnosis, stage, biomarkers, ecog: ecogText === undefined ? null : Number(ecogText), priorTherapy, plan };
  return { ...value, summary: justificationSummary(value) };
}

/** Share of the fields a reviewer expects that the justification has (0–1), and which are missing. */
export function documentationCompleteness(j: Omit<ClinicalJustification, "summary">): { completeness: number; missing: string[] } {
  const missing = JUSTIFICATION_FIELDS.filter((f) => (f === "biomarkers" ? j.biomarkers.length === 0 : j[f] === null));
  return { completeness: Math.round(((JUSTIFICATION_FIELDS.length - missing.length) / JUSTIFICATION_FIELDS.length) * 100) / 100, missing };
}

/** The justification as one paragraph (278 MSG and PAS supportingInfo). */
export function justificationSummary(j: Omit<ClinicalJustification, "summary">): string {
  const parts = [
    j.diagnosis === null ? "Diagnosis per attached records." : `Diagnosis: ${j.diagnosis}${j.stage === null ? "" : `, stage ${j.stage}`}.`,
    j.biomarkers.length === 0 ? "" : `Biomarkers: ${j.biomarkers.join(" ")}`,
    j.ecog === null ? "" : `ECOG ${j.ecog}.`,
    j.priorTherapy === null ? "" : `Prior therapy: ${j.priorTherapy}.`,
    j.plan === null ? "" : `Plan: ${j.plan}.`,
  ];
  return parts.filter((p) => p !== "").join(" ").replace(/\.\./g, ".");
}
