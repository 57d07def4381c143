/** The sandbox's cancer and regimen catalogue (data file `data/regimens.json`, validated on load). */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { shippedFile } from "../shipped-files.js";

const DoseRule = z.object({ basis: z.enum(["flat", "kg", "m2", "auc"]), amount: z.number().positive(), unit: z.literal("mg") });

export const RegimenCatalogue = z.object({
  cancers: z.array(z.object({
    id: z.string(),
    weight: z.number().positive(),
    diagnoses: z.array(z.object({ icd10: z.string(), display: z.string() })).min(1),
    regimens: z.array(z.string()).min(1),
    sex: z.enum(["female", "male"]).optional(),
  })),
  regimens: z.record(z.string(), z.object({
    cycleDays: z.number().int().positive(),
    drugs: z.array(z.object({ drug: z.string(), dose: DoseRule, minutes: z.number().int().min(0) })).min(1),
  })),
});
export type RegimenCatalogue = z.infer<typeof RegimenCatalogue>;

/** Loads the shipped catalogue and checks every cancer names known regimens. */
export function loadRegimens(file: string | URL = shippedFile("tools/sandbox/data/regimens.json")): RegimenCatalogue {
  const catalogue = RegimenCatalogue.parse(JSON.parse(readFileSync(file, "utf8")));
  for (const c of catalogue.cancers) {
    for (const r of c.regimens) if (catalogue.regimens[r] === undefined) throw new Error(`Cancer ${c.id} names unknown regimen ${r}`);
  }
  return catalogue;
}
