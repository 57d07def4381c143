/**
 * The clinical justification of an authorization request, as read from a progress note:
 * diagnosis (with its ICD-10-CM codes), stage, biomarkers, performance status, prior therapy and
 * plan — each value with the span of the note it came from, so the verifier can hold it against
 * the note and the chart. The model extracts it; the offline provider runs
 * `extractJustificationOffline`, deterministic rules over the text, verified the same way.
 */
import { z } from "zod";
import { sitesInText, sitesOfCode } from "../../tools/verification/cancer-sites.js";
import { normalise } from "../../tools/verification/text.js";

const Span = z.string().min(1).max(600).describe("The words of the note this value was read from, copied exactly (one phrase or sentence)");
const spanned = <T extends z.ZodType>(value: T) => z.object({ value, quote: Span });

/** What a payer's reviewer looks for in the notes (NCCN-style medical necessity). */
export const ClinicalJustification = z.object({
  diagnosis: z.object({
    value: z.string().min(1).max(400).describe("The cancer diagnosis in the note's words"),
    icd10: z.array(z.string().min(3).max(8)).max(5).describe("ICD-10-CM code(s) of this diagnosis, chosen only from the diagnoses on the order"),
    quote: Span,
  }).nullable().describe("null when the note names no diagnosis"),
  stage: spanned(z.string().min(1).max(20).describe("Stage, e.g. IV or IIIB")).nullable(),
  biomarkers: z.array(spanned(z.string().min(1).max(400).describe("One biomarker result (PD-L1, HER2, EGFR …)"))).max(12),
  ecog: spanned(z.number().int().min(0).max(4).describe("ECOG performance status 0–4")).nullable(),
  priorTherapy: spanned(z.string().min(1).max(400).describe("Prior lines of therapy, or 'none (first line)'")).nullable(),
  plan: spanned(z.string().min(1).max(400).describe("The treatment plan naming the drug(s)")).nullable(),
  summary: z.string().min(1).max(1200).describe("Two or three sentences of medical necessity stating only what the fields above state"),
});
export type ClinicalJustification = z.infer<typeof ClinicalJustification>;

/** The fields a complete justification has. */
export const JUSTIFICATION_FIELDS = ["diagnosis", "stage", "biomarkers", "ecog", "priorTherapy", "plan"] as const;

const BIOMARKER = /\b(PD-L1|TPS|HER2|ER\/PR|EGFR|ALK|ROS1|KRAS|NRAS|BRAF|MSI|MMR|CD20|PSA|castration)/i;
const CANCER_WORD = /neoplasm|carcinoma|cancer|lymphoma|leukemia|melanoma|myeloma/gi;
const ABBREVIATION = /\b(?:NSCLC|SCLC)/i;

/*
 * Every pattern here runs in linear time on any note: a chart note is data of any length and any
 * shape. Runs of blanks, dots or words are never read by two quantifiers that can share them.
 */
const PHRASE_CHAR = /[A-Za-z ,-]/;
const WORD_CHAR = /\w/;
const isWord = (text: string, i: number): boolean => i >= 0 && i < text.length && WORD_CHAR.test(text.charAt(i));

/**
 * The diagnosis as written: "NSCLC"/"SCLC", or the run of letters, blanks, commas and hyphens
 * around the first cancer word, starting at a word ("metastatic non-small cell lung cancer").
 * Whichever starts first wins — the leftmost match of the former pattern
 * `\b(NSCLC|SCLC|[A-Za-z ,-]*?(?:cancer|…)[A-Za-z ,-]*)`, found by one scan instead of a lazy run
 * retried from every word (quadratic on a long note without a cancer word).
 */
function diagnosisPhrase(note: string): string | null {
  const abbreviation = ABBREVIATION.exec(note);
  let phrase: { start: number; end: number } | null = null;
  let checkedTo = 0; // word starts before this were tried for an earlier cancer word of the same run
  for (const m of note.matchAll(CANCER_WORD)) {
    const at = m.index;
    let runStart = at;
    while (runStart > checkedTo && PHRASE_CHAR.test(note.charAt(runStart - 1))) runStart -= 1;
    let start = -1;
    for (let i = runStart; i <= at && start < 0; i += 1) if (isWord(note, i - 1) !== isWord(note, i)) start = i;
    checkedTo = at;
    if (start < 0) continue;
    let end = at + m[0].length;
    while (end < note.length && PHRASE_CHAR.test(note.charAt(end))) end += 1;
    phrase = { start, end };
    break;
  }
  if (abbreviation !== null && (phrase === null || abbreviation.index <= phrase.start)) return abbreviation[0];
  return phrase === null ? null : note.slice(phrase.start, phrase.end);
}

/**
 * "patient with <diagnosis>, stage …": the first "patient with" on a line that a comma and "stage"
 * follow (the former `patient with ([^\n]+?),\s*stage\b`, retried from every occurrence).
 */
function patientWithStage(note: string): { text: string; quote: string } | null {
  const opener = /patient with /gi;
  const closer = /,\s*stage\b/gi;
  let close: RegExpExecArray | null = null;
  for (let open = opener.exec(note); open !== null; open = opener.exec(note)) {
    const from = open.index + open[0].length;
    const lineEnd = note.indexOf("\n", from) < 0 ? note.length : note.indexOf("\n", from);
    if (close === null || close.index <= from) {
      closer.lastIndex = from + 1;
      close = closer.exec(note);
      if (close === null) return null;
    }
    if (close.index <= lineEnd) return { text: note.slice(from, close.index), quote: note.slice(open.index, close.index + close[0].length) };
    opener.lastIndex = lineEnd; // a later "patient with" on this line has the same (missing) comma
  }
  return null;
}

/** `text` without a "stage …." clause (the first "stage " up to the next dot, and the blanks before it). */
function withoutStageClause(text: string): string {
  const at = text.search(/stage /i);
  const dot = at < 0 ? -1 : text.indexOf(".", at);
  if (dot < 0) return text;
  let from = at;
  while (from > 0 && /\s/.test(text.charAt(from - 1))) from -= 1;
  return text.slice(0, from) + text.slice(dot + 1);
}

const sentences = (text: string): string[] => text.split(/(?<=\.)\s+|\n+/).map((s) => s.trim()).filter((s) => s !== "");
const clean = (s: string | undefined): string | null => {
  let t = s?.trim() ?? "";
  let end = t.length;
  while (end > 0 && ".;,".includes(t.charAt(end - 1))) end -= 1;
  t = t.slice(0, end).trim();
  return t === "" ? null : t;
};

/** A diagnosis on the order, as the offline extractor matches it to the note. */
export interface OrderDiagnosis {
  icd10: string;
  display: string | null;
}

/** The order's codes a diagnosis text corresponds to: its display is in the text, or its site is. */
export function codesForDiagnosis(text: string, diagnoses: OrderDiagnosis[]): string[] {
  const t = normalise(text);
  const sites = sitesInText(text);
  return diagnoses.filter((d) => (d.display !== null && t.includes(normalise(d.display))) || (sitesOfCode(d.icd10) ?? []).some((s) => sites.has(s))).map((d) => d.icd10);
}

/** Deterministic extraction over a note; `diagnoses` are the order's, to which it assigns codes. */
export function extractJustificationOffline(note: string, diagnoses: OrderDiagnosis[]): ClinicalJustification {
  const withStage = patientWithStage(note);
  const named = withStage !== null ? { text: clean(withStage.text), quote: withStage.quote } : (() => {
    const phrase = diagnosisPhrase(note);
    return { text: clean(phrase?.replace(/^\s*stage\s+\S+\s+/i, "")), quote: phrase ?? "" };
  })();
  const diagnosis = named.text === null ? null : { value: named.text, icd10: codesForDiagnosis(named.text, diagnoses), quote: named.quote.trim() };
  const stageMatch = /\bstage\s+(0|I{1,3}V?[A-C]?\d?|IV[A-C]?)\b/i.exec(note);
  const stage = stageMatch === null ? null : { value: (stageMatch[1] as string).toUpperCase(), quote: stageMatch[0] };
  const biomarkers = sentences(note).filter((s) => BIOMARKER.test(s) && !/^plan\b/i.test(s))
    .map((s) => ({ value: withoutStageClause(s).trim(), quote: s })).filter((b) => b.value !== "");
  const ecogMatch = /\bECOG(?:\s+performance\s+status)?(?:\s+(?:of|is|=|:))?\s*([0-4])\b/i.exec(note);
  const ecog = ecogMatch === null ? null : { value: Number(ecogMatch[1]), quote: ecogMatch[0] };
  const spannedBy = (pattern: RegExp) => {
    const m = pattern.exec(note);
    const value = clean(m?.[1]);
    return m === null || value === null ? null : { value, quote: m[0] };
  };
  const value = { diagnosis, stage, biomarkers, ecog, priorTherapy: spannedBy(/prior (?:therapy|treatment|lines?)\s*(?::\s*)?([^\n.]+)/i), plan: spannedBy(/\bplan\s*(?::\s*)?([^\n.]+)/i) };
  return { ...value, summary: justificationSummary(value) };
}

/** Share of the fields a reviewer expects that the justification has (0–1), and which are missing. */
export function documentationCompleteness(j: Omit<ClinicalJustification, "summary">): { completeness: number; missing: string[] } {
  const missing = JUSTIFICATION_FIELDS.filter((f) => (f === "biomarkers" ? j.biomarkers.length === 0 : j[f] === null));
  return { completeness: Math.round(((JUSTIFICATION_FIELDS.length - missing.length) / JUSTIFICATION_FIELDS.length) * 100) / 100, missing };
}

/** The justification as one paragraph, from its fields (the offline provider's summary). */
export function justificationSummary(j: Omit<ClinicalJustification, "summary">): string {
  const parts = [
    j.diagnosis === null ? "Diagnosis per attached records." : `Diagnosis: ${j.diagnosis.value}${j.stage === null ? "" : `, stage ${j.stage.value}`}.`,
    j.biomarkers.length === 0 ? "" : `Biomarkers: ${j.biomarkers.map((b) => b.value).join(" ")}`,
    j.ecog === null ? "" : `ECOG ${j.ecog.value}.`,
    j.priorTherapy === null ? "" : `Prior therapy: ${j.priorTherapy.value}.`,
    j.plan === null ? "" : `Plan: ${j.plan.value}.`,
  ];
  return parts.filter((p) => p !== "").join(" ").replace(/\.\./g, ".");
}

/** The justification with only the fields the verifier supported; the summary is `summary`. */
export function keepVerified(j: ClinicalJustification, supported: Set<string>, summary: string): ClinicalJustification {
  const keep = <T>(field: string, v: T | null): T | null => (supported.has(field) ? v : null);
  return {
    diagnosis: keep("diagnosis", j.diagnosis), stage: keep("stage", j.stage), ecog: keep("ecog", j.ecog),
    biomarkers: j.biomarkers.filter((_b, i) => supported.has(`biomarkers[${i}]`)),
    priorTherapy: keep("priorTherapy", j.priorTherapy), plan: keep("plan", j.plan), summary,
  };
}
