/** A small drug-facts table for generator tests (packages from the CMS 2026 Q1 crosswalk). */
import type { DrugFacts, DrugFactsLookup } from "../../../tools/sandbox/drug-facts.js";

const FACTS: DrugFacts[] = [
  { name: "pembrolizumab", hcpcs: "J9271", drugClass: "biologic", route: "iv-infusion", singleDose: true, billingUnit: { amount: 1, unit: "mg" }, packages: [{ ndc11: "00006302602", billingUnitsPerPackage: 100 }] },
  { name: "nivolumab", hcpcs: "J9299", drugClass: "biologic", route: "iv-infusion", singleDose: true, billingUnit: { amount: 1, unit: "mg" }, packages: [{ ndc11: "00003377211", billingUnitsPerPackage: 40 }, { ndc11: "00003377412", billingUnitsPerPackage: 100 }, { ndc11: "00003373413", billingUnitsPerPackage: 240 }] },
  { name: "atezolizumab", hcpcs: "J9022", drugClass: "biologic", route: "iv-infusion", singleDose: true, billingUnit: { amount: 10, unit: "mg" }, packages: [{ ndc11: "50242091701", billingUnitsPerPackage: 120 }] },
  { name: "durvalumab", hcpcs: "J9173", drugClass: "biologic", route: "iv-infusion", singleDose: true, billingUnit: { amount: 10, unit: "mg" }, packages: [{ ndc11: "00310450012", billingUnitsPerPackage: 12 }, { ndc11: "00310461150", billingUnitsPerPackage: 50 }] },
  { name: "bevacizumab", hcpcs: "J9035", drugClass: "biologic", route: "iv-infusion", singleDose: true, billingUnit: { amount: 10, unit: "mg" }, packages: [{ ndc11: "50242006001", billingUnitsPerPackage: 10 }, { ndc11: "50242006101", billingUnitsPerPackage: 40 }] },
  { name: "trastuzumab", hcpcs: "J9355", drugClass: "biologic", route: "iv-infusion", singleDose: true, billingUnit: { amount: 10, unit: "mg" }, packages: [{ ndc11: "50242013301", billingUnitsPerPackage: 15 }] },
  { name: "pertuzumab", hcpcs: "J9306", drugClass: "biologic", route: "iv-infusion", singleDose: true, billingUnit: { amount: 1, unit: "mg" }, packages: [{ ndc11: "50242014501", billingUnitsPerPackage: 420 }] },
  { name: "rituximab", hcpcs: "J9312", drugClass: "biologic", route: "iv-infusion", singleDose: true, billingUnit: { amount: 10, unit: "mg" }, packages: [{ ndc11: "50242005121", billingUnitsPerPackage: 10 }, { ndc11: "50242005306", billingUnitsPerPackage: 50 }] },
  { name: "carboplatin", hcpcs: "J9045", drugClass: "chemotherapy", route: "iv-infusion", singleDose: false, billingUnit: { amount: 50, unit: "mg" }, packages: [{ ndc11: "16729029512", billingUnitsPerPackage: 12 }] },
  { name: "paclitaxel", hcpcs: "J9267", drugClass: "chemotherapy", route: "iv-infusion", singleDose: false, billingUnit: { amount: 1, unit: "mg" }, packages: [{ ndc11: "00703321301", billingUnitsPerPackage: 30 }, { ndc11: "45963061350", billingUnitsPerPackage: 300 }] },
  { name: "denosumab", hcpcs: "J0897", drugClass: "supportive", route: "subcutaneous", singleDose: true, billingUnit: { amount: 1, unit: "mg" }, packages: [{ ndc11: "55513073001", billingUnitsPerPackage: 120 }] },
  { name: "pegfilgrastim", hcpcs: "J2506", drugClass: "supportive", route: "subcutaneous", singleDose: true, billingUnit: { amount: 0.5, unit: "mg" }, packages: [{ ndc11: "55513019001", billingUnitsPerPackage: 12 }] },
];

export const fixtureDrugFacts: DrugFactsLookup = (drug) => {
  const found = FACTS.find((f) => f.name === drug);
  if (found === undefined) throw new Error(`no facts for ${drug}`);
  return found;
};
