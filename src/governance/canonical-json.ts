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

/** Serialises a value canonically. Non-finite numbers are refused (JSON cannot hold them). */
export function canonicalJson(value: unknown): string {
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
        for (let i = 0; i < value.length; i += 1) out += (i === 0 ? "" : ",") + canonicalJson(value[i] ?? null);
        return `${out}]`;
      }
      if (value instanceof CanonicalJsonText) return value.text;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, as `a < b` does.
      const keys = Object.keys(record).sort();
      let out = "{";
      for (const k of keys) {
        const v = record[k];
        if (v === undefined || typeof v === "function") continue;
        out += `${out.length === 1 ? "" : ","}${JSON.stringify(k)}:${canonicalJson(v)}`;
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
