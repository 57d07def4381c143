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
  /** CPT (HCPCS Level I): administration codes on ChargeItem.code. */
  CPT: "http://www.ama-assn.org/go/cpt",
  /** NUBC revenue codes (837I SV201). */
  NUBC_REVENUE: "https://www.nubc.org/CodeSystem/RevenueCodes",
  /** HCPCS/CPT modifiers (JW, JZ, 59 …). */
  MODIFIER: "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets/modifiers",
  /** X12 unit or basis for measurement codes (837 CTP05-1: UN, ML, GR, ME, F2). */
  X12_UNIT: "https://x12.org/codes/unit-or-basis-for-measurement",
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
  /** ChargeItem: one billing modifier per extension, in claim order (valueCoding, system MODIFIER). */
  CHARGE_MODIFIER: "https://infusion-rcm.dev/fhir/StructureDefinition/charge-modifier",
  /** ChargeItem: the 837I revenue code (valueCoding, system NUBC_REVENUE); absent on an office line. */
  REVENUE_CODE: "https://infusion-rcm.dev/fhir/StructureDefinition/revenue-code",
  /** ChargeItem: the NDC quantity and unit for CTP04/CTP05 (valueQuantity, code UN/ML/GR/ME/F2, system X12_UNIT). */
  NDC_QUANTITY: "https://infusion-rcm.dev/fhir/StructureDefinition/ndc-quantity",
} as const;

/**
 * A captured charge as a FHIR R4 ChargeItem (R4 has no modifier, revenue-code or NDC-quantity
 * element, hence the three extensions above):
 * - `status` `billable`; `subject` the Patient; `context` the Encounter (the visit);
 * - `code.coding[0]`: the HCPCS (system HCPCS) or CPT (system CPT) as captured;
 * - `quantity.value`: the billed units; `occurrenceDateTime`: the date of service;
 * - `priceOverride` (Money, USD): the line's charge from the charge master — the whole line, not
 *   a unit price, since charge capture sets it (R4 §ChargeItem.priceOverride "price overriding
 *   the factor × base price"); read back as decimal dollars with two places;
 * - `productCodeableConcept.coding[0]` (system NDC): the NDC as typed (10 or 11 digits, hyphens or
 *   not) — never normalised, so a scrubber sees what charge capture sent;
 * - `service`: the MedicationAdministration(s) the line bills (none when charge capture named none);
 * - `reason`: the ICD-10-CM codes the line points at, in pointer order;
 * - extensions CHARGE_MODIFIER (0–4), REVENUE_CODE (837I), NDC_QUANTITY (drug lines).
 * The Encounter of a past visit lists the visit's diagnoses in `diagnosis` (Condition references,
 * `rank` 1 principal) and its site of care in `serviceType` (system SITE_OF_CARE).
 */

/** Routes of administration used on MedicationAdministration.dosage.route. */
export const ROUTES = ["iv-infusion", "iv-push", "subcutaneous", "intramuscular"] as const;
/** Drug classes used on MedicationRequest.category. */
export const DRUG_CLASSES = ["chemotherapy", "biologic", "therapeutic", "hydration", "hormonal", "supportive"] as const;
/** How a drug reaches the chair: bought and billed by the clinic, or shipped by a specialty pharmacy. */
export const SUPPLY_MODES = ["buy-and-bill", "white-bag"] as const;
/** Payer types on Coverage.type. */
export const PAYER_TYPES = ["medicare", "medicare-advantage", "commercial", "medicaid"] as const;
