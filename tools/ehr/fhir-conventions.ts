/**
 * The FHIR R4 conventions the EHR client reads and the sandbox EHR writes: code systems and the
 * few extensions an infusion clinic needs that base FHIR lacks. A real EHR integration maps its
 * own profiles onto these in one place.
 */

/** Code systems. */
export const SYSTEM = {
  HCPCS: "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
  NDC: "http://hl7.org/fhir/sid/ndc",
  ICD10CM: "http://hl7.org/fhir/sid/icd-10-cm",
  UCUM: "http://unitsofmeasure.org",
  PAYER_TYPE: "https://infusion-rcm.dev/fhir/CodeSystem/payer-type",
  ADMIN_ROUTE: "https://infusion-rcm.dev/fhir/CodeSystem/administration-route",
  DRUG_CLASS: "https://infusion-rcm.dev/fhir/CodeSystem/drug-class",
  SUPPLY: "https://infusion-rcm.dev/fhir/CodeSystem/drug-supply",
  PAYER_ID: "https://infusion-rcm.dev/fhir/NamingSystem/payer-id",
  NPI: "http://hl7.org/fhir/sid/us-npi",
  MRN: "https://infusion-rcm.dev/fhir/NamingSystem/mrn",
  SITE_OF_CARE: "https://infusion-rcm.dev/fhir/CodeSystem/site-of-care",
  /** Coverage.relationship (FHIR R4): self, spouse, child, parent, common, other, injured. */
  SUBSCRIBER_RELATIONSHIP: "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
} as const;

/** Extensions. */
export const EXTENSION = {
  /** MedicationAdministration: amount discarded from single-dose containers (valueQuantity). */
  WASTED_AMOUNT: "https://infusion-rcm.dev/fhir/StructureDefinition/wasted-amount",
  /** MedicationAdministration: containers opened (valueInteger). */
  CONTAINERS_OPENED: "https://infusion-rcm.dev/fhir/StructureDefinition/containers-opened",
  /** MedicationAdministration: infusion pump used (valueBoolean) — for prolonged infusions. */
  PUMP: "https://infusion-rcm.dev/fhir/StructureDefinition/infusion-pump",
  /** Patient: body-surface area in m² (valueQuantity). */
  BSA: "https://infusion-rcm.dev/fhir/StructureDefinition/body-surface-area",
  /** Patient: weight in kg (valueQuantity). */
  WEIGHT: "https://infusion-rcm.dev/fhir/StructureDefinition/body-weight",
} as const;

/** Routes of administration used on MedicationAdministration.dosage.route. */
export const ROUTES = ["iv-infusion", "iv-push", "subcutaneous", "intramuscular"] as const;
/** Drug classes used on MedicationRequest.category. */
export const DRUG_CLASSES = ["chemotherapy", "biologic", "therapeutic", "hydration", "hormonal", "supportive"] as const;
/** How a drug reaches the chair: bought and billed by the clinic, or shipped by a specialty pharmacy. */
export const SUPPLY_MODES = ["buy-and-bill", "white-bag"] as const;
/** Payer types on Coverage.type. */
export const PAYER_TYPES = ["medicare", "medicare-advantage", "commercial", "medicaid"] as const;
