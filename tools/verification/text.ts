/**
 * Text as the verifier compares it: one normal form for notes, quotes and model output (Unicode
 * compatibility form, lower case, plain quotes and dashes, one space between words), word tokens,
 * and a crude stemmer so "planned" meets "plan". Everything here is a single pass over the text.
 */

/** The normal form: NFKC ("m²" → "m2"), lower case, ASCII quotes and dashes, whitespace collapsed. */
export function normalise(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, "\"")
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/\s+/g, " ")
    .trim();
}

/** The words and numbers of a text, in order (letters and digits; "pd-l1" gives "pd", "l1"). */
export function tokens(text: string): string[] {
  return normalise(text).match(/[a-z0-9]+/g) ?? [];
}

/** Whether a token is a number (digits only). */
export const isNumber = (token: string): boolean => /^[0-9]+$/.test(token);

/**
 * Words that carry no claim: a value's content is its other words. Negations ("no", "not",
 * "without", "negative") are deliberately absent — they change what a value says.
 */
const STOPWORDS = new Set([
  "a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been",
  "per", "this", "that", "these", "those", "it", "its", "has", "have", "had", "their", "his", "her", "patient", "s",
]);

/** The content tokens of a value (stopwords removed). */
export const contentTokens = (text: string): string[] => tokens(text).filter((t) => !STOPWORDS.has(t));

/** A crude stem: plural and verb endings off, a doubled final consonant single ("planned" → "plan"). */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith("ies")) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(?:ches|shes|sses|xes|zes)$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 5 && w.endsWith("ly")) w = w.slice(0, -2);
  if (w.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

/**
 * Abbreviations a value or a note may use for the same words: either side may spell it out.
 * Oncology terms only; each expands to the tokens `tokens()` gives for the long form.
 */
export const ABBREVIATIONS: Record<string, string[]> = {
  nsclc: ["non", "small", "cell", "lung", "cancer"],
  sclc: ["small", "cell", "lung", "cancer"],
  dlbcl: ["diffuse", "large", "b", "cell", "lymphoma"],
  crc: ["colorectal", "cancer"],
  hcc: ["hepatocellular", "carcinoma"],
  rcc: ["renal", "cell", "carcinoma"],
  tnbc: ["triple", "negative", "breast", "cancer"],
  ps: ["performance", "status"],
  tps: ["tumor", "proportion", "score"],
  cps: ["combined", "positive", "score"],
  msi: ["microsatellite", "instability"],
  wt: ["wild", "type"],
  mets: ["metastases"],
  hx: ["history"],
  tx: ["treatment"],
  ca: ["cancer"],
  q3w: ["every", "3", "weeks"],
  q2w: ["every", "2", "weeks"],
  q4w: ["every", "4", "weeks"],
  q6w: ["every", "6", "weeks"],
};

/** The set of stems a text supports: its own tokens, with abbreviations expanded both ways. */
export function stemSet(text: string): Set<string> {
  const out = new Set<string>();
  const toks = tokens(text);
  for (const t of toks) {
    out.add(stem(t));
    for (const x of ABBREVIATIONS[t] ?? []) out.add(stem(x));
  }
  // A long form in the text supports its abbreviation.
  for (const [abbr, long] of Object.entries(ABBREVIATIONS)) {
    if (long.every((x) => out.has(stem(x)))) out.add(abbr);
  }
  return out;
}

/** Shortens a value for a message staff read (never a whole note). */
export function excerpt(text: string, max = 60): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}
