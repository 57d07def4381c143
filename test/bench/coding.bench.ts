/** `npm run bench:coding` — unit calculations and administration-code derivations per second, and table loading time. */
import { performance } from "node:perf_hooks";
import { deriveAdministrationCodes, type AdministrationEvent } from "../../tools/coding/administration-codes.js";
import { loadAspPricing } from "../../tools/coding/asp-pricing.js";
import { billingUnits } from "../../tools/coding/billing-units.js";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { expectedPayment } from "../../tools/coding/expected-payment.js";
import { loadCrosswalk } from "../../tools/coding/ndc.js";

const time = (label: string, n: number, fn: (i: number) => void) => {
  for (let i = 0; i < Math.min(n, 2_000); i += 1) fn(i);
  const t = performance.now();
  for (let i = 0; i < n; i += 1) fn(i);
  const s = (performance.now() - t) / 1000;
  console.log(`${label.padEnd(44)} ${Math.round(n / s).toLocaleString("en-US").padStart(10)} /s`);
};

let t = performance.now();
const crosswalk = loadCrosswalk();
console.log(`load NDC–HCPCS crosswalk (${crosswalk.size.toLocaleString("en-US")} NDCs)`.padEnd(45), `${(performance.now() - t).toFixed(0)} ms`);
t = performance.now();
loadAspPricing();
console.log("load ASP payment limits (2026 Q1)".padEnd(45), `${(performance.now() - t).toFixed(0)} ms`);
t = performance.now();
const tables = loadCodingTables();
console.log("load all coding tables".padEnd(45), `${(performance.now() - t).toFixed(0)} ms`);

const unit = tables.asp.latest("J9267")!.dosage;
time("billing units (dose → units, exact decimal)", 200_000, (i) => billingUnits("J9267", `${100 + (i % 400)}.5 mg`, unit));
time("expected payment (Medicare, exact decimal)", 100_000, (i) => expectedPayment(tables.asp, { hcpcs: "J9271", units: 100 + (i % 200), dateOfService: "2026-02-10", payerType: "medicare" }));
const day = (h: number, m: number) => `2026-02-10T${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`;
const encounter: AdministrationEvent[] = [
  { drug: "ondansetron", class: "therapeutic", route: "iv-infusion", start: day(8, 30), stop: day(9, 0), site: "A" },
  { drug: "paclitaxel", class: "chemotherapy", route: "iv-infusion", start: day(9, 0), stop: day(12, 5), site: "A" },
  { drug: "carboplatin", class: "chemotherapy", route: "iv-infusion", start: day(12, 10), stop: day(12, 45), site: "A" },
  { drug: "normal saline hydration", class: "hydration", route: "iv-infusion", start: day(8, 0), stop: day(8, 30), site: "A" },
  { drug: "pegfilgrastim", class: "supportive", route: "subcutaneous", start: day(13, 0), site: "A" },
];
time("administration codes (5-event encounter)", 100_000, () => deriveAdministrationCodes(encounter));
time("NDC resolve (crosswalk lookup)", 500_000, (i) => crosswalk.resolve(i % 2 === 0 ? "0006-3026-02" : "50242-060-01"));
