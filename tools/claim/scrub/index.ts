/** The pre-bill scrubber (README "Pre-bill scrubber"). */
export { scrubVisit, scrubClaim, type ScrubOptions, type ScrubResult } from "./scrub-visit.js";
export { Finding, LineSnapshot, ClaimTotal, FindingRule, CONFIDENCE } from "./finding.js";
export { defaultChargeMaster, ADMINISTRATION_CHARGES, DRUG_MARKUP, type ChargeMaster } from "./charge-master.js";
export { parseVisitRecord, claimsFromX12, readScrubInput, type ScrubInput } from "./scrub-input.js";
