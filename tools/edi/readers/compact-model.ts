/**
 * Building a large read model with little for the garbage collector to copy: a model read from a
 * 55 MB remittance has millions of objects, each copied by every scavenge it survives, so readers
 * keep one string per recurring value and hand over arrays at their exact size.
 */
import { el, type Segment } from "../tokenizer.js";
import type { ValueReader } from "../values.js";

/**
 * Codes, qualifiers and dates recur on nearly every claim (CO, 45, HC, J9271, 2026-03-02 …): the
 * model keeps one string for each rather than one per occurrence, and so holds far fewer objects
 * for the garbage collector to copy. Bounded per transaction; past the bound values stay as read.
 * Names, identifiers and amounts are not shared: names and identifiers rarely repeat, and a table
 * of amounts is large enough that looking each one up cost more than the copies it saved.
 */
export class SharedValues {
  private readonly values = new Map<string, string>();
  private readonly dates = new Map<string, string>();

  constructor(private readonly v: ValueReader) {}

  /** The one string kept for this value (the value itself the first time it is seen). */
  of(value: string): string {
    const known = this.values.get(value);
    if (known !== undefined) return known;
    if (this.values.size < 4096 && value.length <= 8) this.values.set(value, value);
    return value;
  }

  /** An optional element (null when empty), shared. */
  optional(s: Segment, n: number): string | null {
    const value = el(s, n);
    return value === "" ? null : this.of(value);
  }

  /** A D8 date as ISO; an invalid date is reported every time it occurs (only valid ones are shared). */
  date(s: Segment, n: number, what: string): string | null {
    const known = this.dates.get(el(s, n));
    if (known !== undefined) return known;
    const iso = this.v.date(s, n, what);
    if (iso !== null && this.dates.size < 4096) this.dates.set(el(s, n), iso);
    return iso;
  }
}

/**
 * An exact-size copy of an array built by push. Pushing onto `[]` gives it room for 17 elements,
 * and the model keeps every claim's and line's arrays for as long as the read lasts: at 5–10
 * arrays per claim, that spare room was most of what the garbage collector copied.
 */
export function exact<T>(items: T[]): T[] {
  return items.length === 0 ? items : items.slice();
}

/**
 * The items of the claim or line being read, gathered in one reused array and handed to the model
 * at their exact size when it ends (see `exact`), so that no array is built twice.
 */
export class Gathered<T> {
  private readonly items: T[] = [];
  private count = 0;

  push(item: T): void {
    this.items[this.count] = item;
    this.count += 1;
  }

  /** The items gathered since the last take, as a new array (or `empty` when there are none). */
  take(empty: T[]): T[] {
    if (this.count === 0) return empty;
    const out = this.items.slice(0, this.count);
    this.count = 0;
    return out;
  }
}
