/**
 * NDC normalisation (FDA 10-digit labeler-product-package in 4-4-2, 5-3-2 or 5-4-1 → the
 * 11-digit 5-4-2 billing format, padding the short segment with a leading zero) and the CMS
 * NDC–HCPCS crosswalk: HCPCS, package size and billing units per package for each NDC.
 */
import path from "node:path";
import { readCsvWithPreamble, readDataFile } from "./csv-file.js";
import { codingDataDir } from "./data-files.js";

/** The result of normalising an NDC as typed. */
export type NdcNormalization =
  | { ok: true; ndc11: string; format: "4-4-2" | "5-3-2" | "5-4-1" | "5-4-2" | "11-digit" }
  | { ok: false; reason: "invalid" | "ambiguous-10-digit"; candidates: string[]; message: string };

/** Hyphenated 4-4-2/5-3-2/5-4-1/5-4-2 or 11 digits → 11 digits; bare 10 digits → candidates only. */
export function normalizeNdc(input: string): NdcNormalization {
  const s = input.trim();
  const parts = s.split("-");
  if (parts.length === 3 && parts.every((p) => /^\d+$/.test(p))) {
    const [a = "", b = "", c = ""] = parts;
    const shape = `${a.length}-${b.length}-${c.length}`;
    switch (shape) {
      case "4-4-2":
        return { ok: true, ndc11: `0${a}${b}${c}`, format: "4-4-2" };
      case "5-3-2":
        return { ok: true, ndc11: `${a}0${b}${c}`, format: "5-3-2" };
      case "5-4-1":
        return { ok: true, ndc11: `${a}${b}0${c}`, format: "5-4-1" };
      case "5-4-2":
        return { ok: true, ndc11: `${a}${b}${c}`, format: "5-4-2" };
      default:
        return { ok: false, reason: "invalid", candidates: [], message: `NDC "${input}" has segments ${shape}; expected 4-4-2, 5-3-2, 5-4-1 or 5-4-2` };
    }
  }
  if (/^\d{11}$/.test(s)) return { ok: true, ndc11: s, format: "11-digit" };
  if (/^\d{10}$/.test(s)) {
    // Without hyphens a 10-digit NDC could be any of the three layouts.
    const candidates = [`0${s}`, `${s.slice(0, 5)}0${s.slice(5)}`, `${s.slice(0, 9)}0${s.slice(9)}`];
    return { ok: false, reason: "ambiguous-10-digit", candidates, message: `NDC "${input}" has 10 digits without hyphens; it is one of ${candidates.join(", ")}` };
  }
  return { ok: false, reason: "invalid", candidates: [], message: `NDC "${input}" is not 10 or 11 digits` };
}

/** 00006302602 → 00006-3026-02. */
export const hyphenate = (ndc11: string): string => `${ndc11.slice(0, 5)}-${ndc11.slice(5, 9)}-${ndc11.slice(9)}`;

/** One crosswalk row. */
export interface CrosswalkEntry {
  ndc11: string;
  hcpcs: string;
  hcpcsDescription: string;
  labeler: string;
  drugName: string;
  hcpcsDosage: string;
  packageSize: number | null;
  packageQuantity: number | null;
  billingUnitsPerPackage: number | null;
}

/** The NDC–HCPCS crosswalk. */
export class NdcCrosswalk {
  private readonly byNdc = new Map<string, CrosswalkEntry[]>();
  private readonly byHcpcs = new Map<string, CrosswalkEntry[]>();

  constructor(entries: CrosswalkEntry[]) {
    for (const e of entries) {
      this.byNdc.set(e.ndc11, [...(this.byNdc.get(e.ndc11) ?? []), e]);
      this.byHcpcs.set(e.hcpcs, [...(this.byHcpcs.get(e.hcpcs) ?? []), e]);
    }
  }

  get size(): number {
    return this.byNdc.size;
  }

  /** Entries for an 11-digit NDC (one NDC may map to more than one HCPCS). */
  entries(ndc11: string): CrosswalkEntry[] {
    return this.byNdc.get(ndc11) ?? [];
  }

  /** Packages of a HCPCS. */
  packages(hcpcs: string): CrosswalkEntry[] {
    return this.byHcpcs.get(hcpcs) ?? [];
  }

  /**
   * Resolves what a person typed: normalises it, and settles a bare 10-digit NDC through the
   * crosswalk when exactly one layout is a known product.
   */
  resolve(input: string): NdcNormalization & { entries: CrosswalkEntry[] } {
    const n = normalizeNdc(input);
    if (n.ok) return { ...n, entries: this.entries(n.ndc11) };
    if (n.reason === "ambiguous-10-digit") {
      const known = n.candidates.filter((c) => this.byNdc.has(c));
      if (known.length === 1) return { ok: true, ndc11: known[0] as string, format: "11-digit", entries: this.entries(known[0] as string) };
      return { ...n, candidates: known.length > 1 ? known : n.candidates, message: known.length > 1 ? `${n.message}; ${known.length} of them are in the crosswalk` : `${n.message}; none is in the crosswalk`, entries: [] };
    }
    return { ...n, entries: [] };
  }

  /** Whether the NDC is crosswalked to the HCPCS (an NDC billed under another code is a mismatch). */
  matches(ndc11: string, hcpcs: string): { known: boolean; matches: boolean; hcpcs: string[] } {
    const codes = this.entries(ndc11).map((e) => e.hcpcs);
    return { known: codes.length > 0, matches: codes.includes(hcpcs), hcpcs: [...new Set(codes)] };
  }
}

const num = (v: string | undefined): number | null => (v === undefined || v === "" || !Number.isFinite(Number(v)) ? null : Number(v));

/** Parses a CMS crosswalk file. */
export function parseCrosswalk(text: string, source: string): NdcCrosswalk {
  const rows = readCsvWithPreamble(text, source, text.includes("_2026_CODE") ? "_2026_CODE" : "HCPCS");
  const entries: CrosswalkEntry[] = [];
  for (const row of rows) {
    const v = row.values;
    const hcpcs = v._2026_CODE ?? v.HCPCS ?? Object.values(v)[0] ?? "";
    const n = normalizeNdc(v.NDC2 ?? "");
    if (!n.ok || hcpcs === "") continue;
    entries.push({
      ndc11: n.ndc11, hcpcs, hcpcsDescription: v["Short Description"] ?? "", labeler: v["LABELER NAME"] ?? "", drugName: (v["Drug Name"] ?? "").trim(),
      hcpcsDosage: v["HCPCS dosage"] ?? "", packageSize: num(v["PKG SIZE"]), packageQuantity: num(v["PKG QTY"]), billingUnitsPerPackage: num(v.BILLUNITSPKG),
    });
  }
  return new NdcCrosswalk(entries);
}

/** Loads the shipped 2026 Q1 crosswalk (or another file). */
export function loadCrosswalk(file = path.join(codingDataDir(), "asp-ndc-hcpcs-crosswalk-2026-q1.csv")): NdcCrosswalk {
  return parseCrosswalk(readDataFile(file), path.basename(file));
}
