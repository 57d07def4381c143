/**
 * Everything the coding toolkit loads, handed to agents by injection. The quarterly CMS files
 * (ASP payment limits, NDC–HCPCS crosswalk) can change while the service runs — a quarter is
 * imported — so readers keep the `CodingTables` object and read its fields when they use them;
 * `usePricing` swaps the pricing and the catalogue built from it in one step.
 */
import path from "node:path";
import { loadAspPricing, type AspPricing } from "./asp-pricing.js";
import { loadAdjustmentCodes, type AdjustmentCodes } from "./carc-rarc.js";
import { readDataFile } from "./csv-file.js";
import { loadDrugCatalogue, type DrugCatalogue } from "./drug-catalogue.js";
import { loadCodeEdits, type CodeEdits } from "./edits.js";
import { NdcCrosswalk, loadCrosswalk, parseCrosswalkFile } from "./ndc.js";

export interface CodingTables {
  /** ASP payment limits, every quarter loaded. */
  asp: AspPricing;
  /** The NDC–HCPCS crosswalk, every quarter loaded. */
  crosswalk: NdcCrosswalk;
  /** The drug catalogue, with billing units and vial sizes from the latest quarter's files. */
  drugs: DrugCatalogue;
  edits: CodeEdits;
  adjustments: AdjustmentCodes;
  /** The catalogue file the drugs were built from (kept to rebuild them when the pricing changes). */
  catalogueFile?: string;
}

/** Where to load from (shipped data by default). */
export interface CodingTableFiles {
  aspFiles?: string[];
  crosswalkFiles?: string[];
  catalogueFile?: string;
  ncciFile?: string;
  mueFile?: string;
}

/** Loads the tables from files: the shipped 2026 Q1 CMS files unless others are named. */
export function loadCodingTables(files: CodingTableFiles = {}): CodingTables {
  const asp = loadAspPricing(files.aspFiles);
  const crosswalk = files.crosswalkFiles === undefined ? loadCrosswalk() : new NdcCrosswalk(files.crosswalkFiles.map((f) => parseCrosswalkFile(readDataFile(f), path.basename(f))));
  return codingTablesWith(asp, crosswalk, files);
}

/** Tables around the given pricing; catalogue, edits and adjustment codes from their files. */
export function codingTablesWith(asp: AspPricing, crosswalk: NdcCrosswalk, files: Pick<CodingTableFiles, "catalogueFile" | "ncciFile" | "mueFile"> = {}): CodingTables {
  return {
    asp, crosswalk, drugs: loadDrugCatalogue(asp, crosswalk, files.catalogueFile), catalogueFile: files.catalogueFile,
    edits: loadCodeEdits({ ncci: files.ncciFile, mue: files.mueFile }), adjustments: loadAdjustmentCodes(),
  };
}

/**
 * Swaps in other pricing (quarters imported or replaced): ASP, crosswalk and the catalogue that
 * takes billing units and vial sizes from them change together, between two reads of a caller.
 */
export function usePricing(tables: CodingTables, asp: AspPricing, crosswalk: NdcCrosswalk): void {
  const drugs = loadDrugCatalogue(asp, crosswalk, tables.catalogueFile);
  Object.assign(tables, { asp, crosswalk, drugs });
}
