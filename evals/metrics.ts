/** Scoring helpers: precision and recall over labelled items, accuracy, rates. */

/** Counts for one label set. */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
}

export const emptyConfusion = (): Confusion => ({ tp: 0, fp: 0, fn: 0 });

/**
 * Adds one case: `predicted` and `expected` are sets of labels; only labels in `judged` count
 * (a case labels what its source knows the truth of, nothing more).
 */
export function addCase(c: Confusion, predicted: Iterable<string>, expected: Iterable<string>, judged: ReadonlySet<string>): void {
  const p = new Set([...predicted].filter((x) => judged.has(x)));
  const e = new Set([...expected].filter((x) => judged.has(x)));
  for (const x of p) if (e.has(x)) c.tp += 1; else c.fp += 1;
  for (const x of e) if (!p.has(x)) c.fn += 1;
}

/** Precision; 1 when nothing was predicted and nothing was expected. */
export const precision = (c: Confusion): number => (c.tp + c.fp === 0 ? (c.fn === 0 ? 1 : 0) : c.tp / (c.tp + c.fp));
/** Recall; 1 when nothing was expected. */
export const recall = (c: Confusion): number => (c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn));

/** A rate with its counts. */
export interface Rate {
  rate: number | null;
  numerator: number;
  denominator: number;
}

export const rate = (numerator: number, denominator: number): Rate => ({ rate: denominator === 0 ? null : numerator / denominator, numerator, denominator });

/** One line of the report. */
export interface MetricLine {
  name: string;
  value: string;
  /** The threshold it must meet, if any, and whether it did. */
  threshold?: string;
  pass?: boolean;
}

/** Formats a ratio as 0.000. */
export const fmt = (x: number | null): string => (x === null ? "n/a" : x.toFixed(3));
