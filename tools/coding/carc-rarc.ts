/**
 * Claim adjustment reason codes (CARC) and remittance advice remark codes (RARC): description
 * in our own words, denial category and default appealability, plus the adjustment group codes.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { codingDataDir } from "./data-files.js";

export const DenialCategory = z.enum([
  "authorization", "eligibility", "coding", "units", "documentation", "medical-necessity", "coverage", "bundling",
  "duplicate", "timely-filing", "contractual", "patient-responsibility",
]);
export type DenialCategory = z.infer<typeof DenialCategory>;

const File = z.object({
  groups: z.record(z.string(), z.string()),
  carc: z.array(z.object({ code: z.string(), description: z.string(), category: DenialCategory, appealable: z.boolean() })),
  rarc: z.array(z.object({ code: z.string(), description: z.string() })),
});

export interface CarcInfo {
  code: string;
  description: string;
  category: DenialCategory;
  appealable: boolean;
}

/** The loaded tables. */
export class AdjustmentCodes {
  private readonly carc: Map<string, CarcInfo>;
  private readonly rarc: Map<string, string>;

  constructor(private readonly file: z.infer<typeof File>) {
    this.carc = new Map(file.carc.map((c) => [c.code, c]));
    this.rarc = new Map(file.rarc.map((r) => [r.code, r.description]));
  }

  /** A CARC, or null when unknown. */
  reason(code: string): CarcInfo | null {
    return this.carc.get(code.trim().toUpperCase()) ?? null;
  }

  /** A RARC description, or null. */
  remark(code: string): string | null {
    return this.rarc.get(code.trim().toUpperCase()) ?? null;
  }

  /** A group code's meaning (CO, PR, OA, PI, CR), or null. */
  group(code: string): string | null {
    return this.file.groups[code.trim().toUpperCase()] ?? null;
  }

  /**
   * The category of an adjustment. A CARC 16 with RARC M119 is an NDC problem; PR-group
   * deductible/coinsurance/copay are the patient's share, not denials.
   */
  categorize(group: string, reason: string, remarks: string[] = []): { category: DenialCategory | null; appealable: boolean; denial: boolean; detail: string | null } {
    const info = this.reason(reason);
    if (info === null) return { category: null, appealable: false, denial: group !== "PR", detail: null };
    const ndc = reason === "16" && remarks.includes("M119");
    const denial = !(info.category === "contractual" || info.category === "patient-responsibility");
    return { category: info.category, appealable: info.appealable, denial, detail: ndc ? "NDC missing or invalid (M119)" : null };
  }
}

/** Loads the shipped tables. */
export function loadAdjustmentCodes(file = path.join(codingDataDir(), "carc-rarc.json")): AdjustmentCodes {
  return new AdjustmentCodes(File.parse(JSON.parse(readFileSync(file, "utf8"))));
}
