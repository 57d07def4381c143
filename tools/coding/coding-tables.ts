/** Everything the coding toolkit loads, loaded once and handed to agents by injection. */
import { loadAspPricing, type AspPricing } from "./asp-pricing.js";
import { loadAdjustmentCodes, type AdjustmentCodes } from "./carc-rarc.js";
import { loadDrugCatalogue, type DrugCatalogue } from "./drug-catalogue.js";
import { loadCodeEdits, type CodeEdits } from "./edits.js";
import { loadCrosswalk, type NdcCrosswalk } from "./ndc.js";

export interface CodingTables {
  asp: AspPricing;
  crosswalk: NdcCrosswalk;
  drugs: DrugCatalogue;
  edits: CodeEdits;
  adjustments: AdjustmentCodes;
}

/** Where to load from (shipped data by default). */
export interface CodingTableFiles {
  aspFiles?: string[];
  crosswalkFile?: string;
  catalogueFile?: string;
  ncciFile?: string;
  mueFile?: string;
}

export function loadCodingTables(files: CodingTableFiles = {}): CodingTables {
  const asp = loadAspPricing(files.aspFiles);
  const crosswalk = loadCrosswalk(files.crosswalkFile);
  return {
    asp, crosswalk, drugs: loadDrugCatalogue(asp, crosswalk, files.catalogueFile),
    edits: loadCodeEdits({ ncci: files.ncciFile, mue: files.mueFile }), adjustments: loadAdjustmentCodes(),
  };
}
