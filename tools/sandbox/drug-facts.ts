/**
 * What the sandbox generator needs to know about a drug, as a lookup the caller supplies
 * (bound to the coding toolkit's catalogue and the CMS crosswalk in production code).
 */
import type { DRUG_CLASSES, ROUTES } from "../ehr/fhir-conventions.js";

/** One package (vial) of a drug. */
export interface DrugPackage {
  ndc11: string;
  /** Billing units in one package (CMS crosswalk BILLUNITSPKG). */
  billingUnitsPerPackage: number;
}

/** Facts about a drug. */
export interface DrugFacts {
  name: string;
  hcpcs: string;
  drugClass: (typeof DRUG_CLASSES)[number];
  route: (typeof ROUTES)[number];
  singleDose: boolean;
  /** One billing unit (HCPCS dosage), e.g. 10 mg. */
  billingUnit: { amount: number; unit: string };
  packages: DrugPackage[];
}

/** Looks a drug up by its generic name; throws for an unknown drug. */
export type DrugFactsLookup = (drug: string) => DrugFacts;
