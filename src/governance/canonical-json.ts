/**
 * Canonical JSON for hashing: object keys sorted, no whitespace, `undefined` members dropped —
 * so the same value always hashes the same, before storage and after a jsonb round trip.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A value already serialised by `canonicalJson`: serialising it again yields its text as is, so
 * a payload canonicalised once can sit inside an entry that is hashed (the audit log does this).
 */
export class CanonicalJsonText {
  constructor(readonly text: string) {}
}

/**
 * Serialises a value canonically. Non-finite numbers are refused (JSON cannot hold them).
 *
 * The native `JSON.stringify` does the writing (one flat string, no intermediate pieces to
 * collect), with a replacer that hands it each object with its keys in sorted order. An object
 * with a key that looks like an array index cannot be reordered that way (JavaScript lists such
 * keys first, in numeric order), nor can an embedded `CanonicalJsonText` be written raw: a value
 * holding either is written by the walk below instead, which gives the same text.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") {
    throw new TypeError(`canonicalJson: cannot serialise ${typeof value}`);
  }
  try {
    return JSON.stringify(value, sortedReplacer) as string;
  } catch (error) {
    if (error === NEEDS_WALK) return walk(value);
    throw error;
  }
}

const NEEDS_WALK = Symbol("canonicalJson: needs the walk");

function sortedReplacer(this: unknown, _key: string, v: unknown): unknown {
  switch (typeof v) {
    case "number":
      if (!Number.isFinite(v)) throw new TypeError("canonicalJson: non-finite number");
      return v;
    case "object": {
      if (v === null || Array.isArray(v)) return v;
      if (v instanceof CanonicalJsonText) throw NEEDS_WALK;
      const keys = Object.keys(v);
      let sorted = true;
      for (let i = 0; i < keys.length; i += 1) {
        const k = keys[i] as string;
        const first = k.charCodeAt(0);
        if (first >= 48 && first <= 57) throw NEEDS_WALK; // may be an index key
        if (i > 0 && (keys[i - 1] as string) > k) sorted = false;
      }
      if (sorted) return v;
      keys.sort();
      const copy: Record<string, unknown> = {};
      for (const k of keys) copy[k] = (v as Record<string, unknown>)[k];
      return copy;
    }
    case "function":
    case "symbol":
      // Dropped as a member (as the walk does); refused in an array, where JSON would write null.
      if (Array.isArray(this)) throw new TypeError(`canonicalJson: cannot serialise ${typeof v}`);
      return undefined;
    case "bigint":
      throw new TypeError("canonicalJson: cannot serialise bigint");
    default:
      return v;
  }
}

/** The same serialisation, written piece by piece. */
function walk(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonicalJson: non-finite number");
      return JSON.stringify(value);
    case "string":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i += 1) {
          const item: unknown = value[i];
          out += (i === 0 ? "" : ",") + (item === undefined ? "null" : walk(item));
        }
        return `${out}]`;
      }
      if (value instanceof CanonicalJsonText) return value.text;
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") return walk((toJSON as () => unknown).call(value));
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, as `a < b` does.
      const keys = Object.keys(record).sort();
      let out = "{";
      for (const k of keys) {
        const v = record[k];
        if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
        out += `${out.length === 1 ? "" : ","}${JSON.stringify(k)}:${walk(v)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialise ${typeof value}`);
  }
}

/** A value as it will read back from jsonb: plain JSON, no undefined, dates as strings. */
export function toJson(value: unknown): Json {
  return JSON.parse(canonicalJson(value)) as Json;
}
