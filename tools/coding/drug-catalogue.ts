/**
 * The drug catalogue: HCPCS, class, usual route, single- or multi-dose container (data file
 * `data/drug-catalogue.json`), with billing unit from the ASP file and vial sizes from the CMS
 * crosswalk (billing units per package ÷ package quantity = units per container).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { BadInputError } from "../errors.js";
import type { AspPricing } from "./asp-pricing.js";
import { codingDataDir } from "./data-files.js";
import type { Dose } from "./dose.js";
import type { NdcCrosswalk } from "./ndc.js";

export const DrugClass = z.enum(["chemotherapy", "biologic", "therapeutic", "hydration", "hormonal", "supportive"]);
export type DrugClass = z.infer<typeof DrugClass>;
export const Route = z.enum(["iv-infusion", "iv-push", "subcutaneous", "intramuscular"]);
export type Route = z.infer<typeof Route>;

const CatalogueFile = z.object({
  drugs: z.array(z.object({
    name: z.string().min(1),
    brand: z.string().nullable(),
    hcpcs: z.string().regex(/^[A-Z]\d{4}$/).nullable(),
    class: DrugClass,
    route: Route,
    container: z.enum(["single-dose", "multi-dose"]),
    ndcPreference: z.array(z.string().regex(/^\d{11}$/)).optional(),
  })),
});

/** A vial or other container size. */
export interface Container {
  ndc11: string;
  billingUnits: number;
}

/** A drug as the agents see it. */
export interface CatalogueDrug {
  name: string;
  brand: string | null;
  hcpcs: string | null;
  drugClass: DrugClass;
  route: Route;
  singleDose: boolean;
  /** One billing unit (HCPCS dosage), when the drug has a HCPCS in the ASP file. */
  billingUnit: Dose | null;
  containers: Container[];
}

/** Looks drugs up by name or HCPCS. */
export class DrugCatalogue {
  private readonly byName = new Map<string, CatalogueDrug>();
  private readonly byHcpcs = new Map<string, CatalogueDrug>();

  constructor(drugs: CatalogueDrug[]) {
    for (const d of drugs) {
      this.byName.set(d.name.toLowerCase(), d);
      if (d.brand !== null) this.byName.set(d.brand.toLowerCase(), d);
      if (d.hcpcs !== null) this.byHcpcs.set(d.hcpcs, d);
    }
  }

  all(): CatalogueDrug[] {
    return [...new Set(this.byName.values())];
  }

  byDrugName(name: string): CatalogueDrug | undefined {
    return this.byName.get(name.trim().toLowerCase());
  }

  byCode(hcpcs: string): CatalogueDrug | undefined {
    return this.byHcpcs.get(hcpcs);
  }
}

/** Loads the catalogue file and completes each drug from the ASP file and the crosswalk. */
export function loadDrugCatalogue(asp: AspPricing, crosswalk: NdcCrosswalk, file = path.join(codingDataDir(), "drug-catalogue.json")): DrugCatalogue {
  const parsed = CatalogueFile.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    throw new BadInputError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`, { code: "INVALID_DATA_FILE" });
  }
  return new DrugCatalogue(parsed.data.drugs.map((d) => {
    const packages = d.hcpcs === null ? [] : crosswalk.packages(d.hcpcs);
    const preferred = d.ndcPreference === undefined ? packages : packages.filter((p) => d.ndcPreference?.includes(p.ndc11));
    const containers = new Map<number, Container>();
    for (const p of preferred) {
      if (p.billingUnitsPerPackage === null) continue;
      const perContainer = p.billingUnitsPerPackage / (p.packageQuantity ?? 1);
      if (Number.isInteger(perContainer) && perContainer > 0 && !containers.has(perContainer)) containers.set(perContainer, { ndc11: p.ndc11, billingUnits: perContainer });
    }
    return {
      name: d.name, brand: d.brand, hcpcs: d.hcpcs, drugClass: d.class, route: d.route, singleDose: d.container === "single-dose",
      billingUnit: d.hcpcs === null ? null : asp.latest(d.hcpcs)?.dosage ?? null,
      containers: [...containers.values()].sort((a, b) => a.billingUnits - b.billingUnits),
    };
  }));
}
