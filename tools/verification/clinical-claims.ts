/**
 * The checkable claims in a piece of clinical text: drugs it names, doses with their units,
 * dosing intervals, dates, a stage, an ECOG score and ICD-10-CM codes. Each is compared with the
 * order and the tools by the verifier. Patterns are literal alternations with bounded repeats,
 * run over normalised text: linear in its length.
 */
import { normalise } from "./text.js";

/** A drug as the catalogue names it (generic and brand). */
export interface DrugName {
  name: string;
  brand: string | null;
}

/** The generic names of the drugs (from `known`) a text names, by generic or brand name. */
export function drugsInText(text: string, known: DrugName[]): Set<string> {
  const t = ` ${normalise(text).replace(/[^a-z0-9]+/g, " ")} `;
  const out = new Set<string>();
  for (const d of known) {
    for (const n of [d.name, d.brand]) {
      if (n === null || n.trim() === "") continue;
      if (t.includes(` ${normalise(n).replace(/[^a-z0-9]+/g, " ").trim()} `)) out.add(normalise(d.name));
    }
  }
  return out;
}

/** A dose as written: amount and unit ("200 mg", "5 mg/kg", "175 mg/m2", "1600 units"). */
export interface WrittenDose {
  value: string;
  unit: string;
}

const UNIT = /\b(\d+(?:\.\d+)?) ?(mg\/m2|mg\/kg|mcg\/kg|mg|mcg|g|units?|iu|ml)(?![a-z0-9])/g;

/** Normalises a unit for comparison ("unit" → "units"). */
export const unitKey = (unit: string): string => (unit === "unit" ? "units" : unit);

/** Doses with units in a text. AUC targets ("AUC 5") are not doses. */
export function dosesInText(text: string): WrittenDose[] {
  return [...normalise(text).matchAll(UNIT)].map((m) => ({ value: String(Number(m[1])), unit: unitKey(m[2] as string) }));
}

const WORD_NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8 };
const INTERVAL = /\bq ?(\d{1,2}) ?(w|wk|wks|weeks?|d|days?)\b|\bevery (\d{1,2}|one|two|three|four|five|six|seven|eight|other) ?-?(days?|weeks?)\b|\b(weekly|fortnightly)\b/g;

/** Dosing intervals in days ("q3w" → 21, "every 14 days" → 14, "every other week" → 14, "weekly" → 7). */
export function intervalsInText(text: string): number[] {
  const out: number[] = [];
  for (const m of normalise(text).matchAll(INTERVAL)) {
    if (m[5] !== undefined) {
      out.push(m[5] === "weekly" ? 7 : 14);
      continue;
    }
    const count = m[1] ?? m[3] ?? "";
    const unit = m[2] ?? m[4] ?? "";
    const n = count === "other" ? 2 : WORD_NUMBERS[count] ?? Number(count);
    out.push(unit.startsWith("w") ? n * 7 : n);
  }
  return out;
}

/** Dates in a text as ISO (YYYY-MM-DD); month/day/year dates are read the US way. */
export function datesInText(text: string): string[] {
  const t = normalise(text);
  const out = [...t.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)].map((m) => `${m[1]}-${m[2]}-${m[3]}`);
  for (const m of t.matchAll(/\b(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})\b/g)) {
    const year = (m[3] as string).length === 2 ? `20${m[3]}` : (m[3] as string);
    out.push(`${year}-${(m[1] as string).padStart(2, "0")}-${(m[2] as string).padStart(2, "0")}`);
  }
  return out;
}

/** A stage as roman numeral and sub-stage ("IVA" → IV, A); "4" reads as IV. */
export interface Stage {
  roman: string;
  sub: string;
}

const ROMAN: Record<string, string> = { "0": "0", "1": "I", "2": "II", "3": "III", "4": "IV" };

/** Parses a stage value; null when it is not one (AJCC stage groups 0–IV with sub-stages A–C). */
export function parseStage(value: string): Stage | null {
  const m = /^(?:stage )?(0|iv|i{1,3}|[1-4])([a-c][1-3]?)?$/.exec(normalise(value));
  if (m === null) return null;
  const roman = ROMAN[m[1] as string] ?? (m[1] as string).toUpperCase();
  return { roman, sub: (m[2] ?? "").toUpperCase() };
}

/** Whether two stages agree: same group, and the same sub-stage where both give one. */
export const stagesAgree = (a: Stage, b: Stage): boolean => a.roman === b.roman && (a.sub === "" || b.sub === "" || a.sub === b.sub);

/** Stages a text states ("stage IIIB"). */
export function stagesInText(text: string): Stage[] {
  return [...normalise(text).matchAll(/\bstage (0|iv|i{1,3}|[1-4])([a-c][1-3]?)?\b/g)].flatMap((m) => {
    const s = parseStage(`${m[1] as string}${m[2] ?? ""}`);
    return s === null ? [] : [s];
  });
}

/** ECOG scores a text states ("ECOG 1", "ECOG performance status of 2", "PS 0"). */
export function ecogInText(text: string): number[] {
  return [...normalise(text).matchAll(/\b(?:ecog|ps)(?: performance status)?(?: score)?(?: of| is| =|:)? ?([0-4])\b|\bperformance status(?: score)?(?: of| is| =|:)? ?([0-4])\b/g)]
    .map((m) => Number(m[1] ?? m[2]));
}

/** ICD-10-CM codes written with their dot ("C34.90"); undotted ones cannot be told from HCPCS. */
export function codesInText(text: string): string[] {
  return [...text.toUpperCase().matchAll(/\b([A-TV-Z]\d[0-9A-Z])\.([0-9A-Z]{1,4})\b/g)].map((m) => `${m[1]}.${m[2]}`);
}

/** A code in one form for comparison: upper case, no dot. */
export const codeKey = (code: string): string => code.trim().toUpperCase().replace(".", "");
