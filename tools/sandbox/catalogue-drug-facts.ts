/** Binds the sandbox generator's drug facts to the coding toolkit's catalogue and crosswalk. */
import type { DrugCatalogue } from "../coding/drug-catalogue.js";
import type { DrugFacts, DrugFactsLookup } from "./drug-facts.js";

/** Drug facts from the catalogue; throws for a drug the catalogue does not know or cannot price. */
export function catalogueDrugFacts(catalogue: DrugCatalogue): DrugFactsLookup {
  const cache = new Map<string, DrugFacts>();
  return (name) => {
    const hit = cache.get(name);
    if (hit !== undefined) return hit;
    const d = catalogue.byDrugName(name);
    if (d === undefined || d.hcpcs === null || d.billingUnit === null || d.containers.length === 0) throw new Error(`The drug catalogue cannot describe ${name}`);
    const facts: DrugFacts = {
      name: d.name, hcpcs: d.hcpcs, drugClass: d.drugClass, route: d.route, singleDose: d.singleDose,
      billingUnit: { amount: d.billingUnit.amount.toNumber(), unit: d.billingUnit.unit },
      packages: d.containers.map((c) => ({ ndc11: c.ndc11, billingUnitsPerPackage: c.billingUnits })),
    };
    cache.set(name, facts);
    return facts;
  };
}
