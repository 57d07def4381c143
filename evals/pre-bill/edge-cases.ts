/**
 * Hand-written pre-bill edge cases, each stated from the rule (DOMAIN "After the visit", CMS) as
 * what the corrected claim must hold, not as what the scrubber happens to say: 91 against 90
 * minutes, a 15-minute infusion, hydration under 31 minutes, a multi-dose vial's "waste", a
 * weight-based dose between units, a 340B drug on a Medicare claim, a payer that waives JW/JZ, and
 * a sequential second drug. Built on the scrubber's test visits (a clean Medicare office visit:
 * pembrolizumab 200 mg over 30 minutes from two 100 mg vials, nothing wasted, JZ).
 */
import type { Claim } from "../../tools/claim/claim.js";
import type { ScrubResult } from "../../tools/claim/scrub/index.js";
import type { VisitRecord } from "../../tools/claim/visit-record.js";
import { DOS, charge, mar, visit } from "../../test/helpers/visit-records.js";

const at = (hhmm: string) => `${DOS}T${hhmm}:00-05:00`;
const codes = (c: Claim) => c.lines.map((l) => l.procedure.code + (l.procedure.modifiers.length > 0 ? `-${[...l.procedure.modifiers].sort().join("-")}` : ""));
const lineOf = (c: Claim, code: string) => c.lines.find((l) => l.procedure.code === code);

/** An edge case: a visit and what its corrected claim must hold (null: holds; else why not). */
export interface PreBillEdgeCase {
  id: string;
  description: string;
  record: VisitRecord;
  check: (result: ScrubResult) => string | null;
}

export function preBillEdgeCases(): PreBillEdgeCase[] {
  return [
    {
      id: "infusion-90-minutes", description: "a 90-minute biologic infusion is 96413 alone (an added hour needs more than 30 minutes beyond the first)",
      record: visit((v) => { v.administrations = [mar({ stop: at("10:30") })]; }),
      check: (r) => (lineOf(r.corrected, "96415") === undefined && lineOf(r.corrected, "96413")?.units === 1 ? null : `lines ${codes(r.corrected).join(", ")}`),
    },
    {
      id: "infusion-91-minutes", description: "a 91-minute infusion adds one 96415",
      record: visit((v) => { v.administrations = [mar({ stop: at("10:31") })]; }),
      check: (r) => (lineOf(r.corrected, "96415")?.units === 1 && lineOf(r.corrected, "96413")?.units === 1 ? null : `lines ${codes(r.corrected).join(", ")}`),
    },
    {
      id: "infusion-15-minutes", description: "an infusion of 15 minutes or less is a push: 96409, not 96413",
      record: visit((v) => { v.administrations = [mar({ stop: at("09:15") })]; }),
      check: (r) => (lineOf(r.corrected, "96409") !== undefined && lineOf(r.corrected, "96413") === undefined ? null : `lines ${codes(r.corrected).join(", ")}`),
    },
    {
      id: "hydration-under-31-minutes", description: "hydration of 30 minutes or less after the infusion is not reportable: its 96361 line goes",
      record: visit((v) => {
        v.administrations = [mar(), mar({ id: "mar-h", orderId: null, drugName: "normal saline hydration", hcpcs: null, ndc: null, drugClass: "hydration", dose: { value: 250, unit: "mL" }, start: at("09:35"), stop: at("10:00"), wasted: null, containersOpened: null })];
        v.charges.push(charge({ id: "c3", code: "96361", units: 1, charge: "90.00", administrationIds: ["mar-h"] }));
      }),
      check: (r) => (lineOf(r.corrected, "96361") === undefined && lineOf(r.corrected, "96360") === undefined ? null : `lines ${codes(r.corrected).join(", ")}`),
    },
    {
      id: "multi-dose-vial", description: "carboplatin comes in multi-dose vials: neither JW nor JZ; a JW line is removed",
      record: visit((v) => {
        v.orders = [{ ...v.orders![0]!, id: "ord-1", drugName: "carboplatin", hcpcs: "J9045", dose: { value: 450, unit: "mg" }, drugClass: "chemotherapy" }];
        v.administrations = [mar({ drugName: "carboplatin", hcpcs: "J9045", ndc: "00703-4248-01", drugClass: "chemotherapy", dose: { value: 450, unit: "mg" }, wasted: { value: 0, unit: "mg" }, containersOpened: 1 })];
        v.authorizations = [];
        v.charges = [
          charge({ id: "c1", code: "J9045", units: 9, charge: "65.00", ndc: "00703424801", ndcQuantity: 1, ndcUnit: "UN", administrationIds: ["mar-1"] }),
          charge({ id: "c1w", code: "J9045", modifiers: ["JW"], units: 1, charge: "7.20", ndc: "00703424801", ndcQuantity: 1, ndcUnit: "UN", administrationIds: ["mar-1"] }),
          charge({ id: "c2", code: "96413", units: 1, charge: "420.00", administrationIds: ["mar-1"] }),
        ];
      }),
      check: (r) => (r.corrected.lines.some((l) => l.procedure.modifiers.includes("JW") || l.procedure.modifiers.includes("JZ")) ? `lines ${codes(r.corrected).join(", ")}` : null),
    },
    {
      id: "weight-based-between-units", description: "pembrolizumab 2 mg/kg for 72.4 kg is 144.8 mg: 145 units (rounded up), not 144",
      record: visit((v) => {
        v.administrations = [mar({ dose: { value: 144.8, unit: "mg" }, wasted: { value: 55.2, unit: "mg" } })];
        v.charges[0] = charge({ id: "c1", code: "J9271", modifiers: ["JW"].slice(0, 0), units: 144, charge: "12900.00", ndc: "00006302602", ndcQuantity: 2, ndcUnit: "UN", administrationIds: ["mar-1"] });
      }),
      check: (r) => {
        const drug = r.corrected.lines.find((l) => l.procedure.code === "J9271" && !l.procedure.modifiers.includes("JW"));
        return drug?.units === 145 ? null : `J9271 units ${drug?.units ?? "none"}`;
      },
    },
    {
      id: "340b-on-medicare", description: "a 340B-acquired drug on a Medicare claim carries TB (or JG)",
      record: visit((v) => { v.administrations = [mar({ acquired340b: true } as Partial<ReturnType<typeof mar>>)]; }),
      check: (r) => {
        const m = lineOf(r.corrected, "J9271")?.procedure.modifiers ?? [];
        return m.includes("TB") || m.includes("JG") ? null : `J9271 modifiers ${m.join(",") || "none"}`;
      },
    },
    {
      id: "payer-waives-jw", description: "a payer whose rule waives JW/JZ: no JW line added for recorded waste, no JZ asked",
      record: visit((v) => {
        v.coverage = { ...v.coverage, payerId: "SBCOM2", payerName: "Sandbox Commercial Value", payerType: "commercial" };
        v.payerRules = [{ id: "sbcom2-waives-jw-jz", kind: "waives-jw-jz", note: "bulletin" }];
        v.administrations = [mar({ dose: { value: 150, unit: "mg" }, wasted: { value: 50, unit: "mg" } })];
        v.charges[0] = charge({ id: "c1", code: "J9271", units: 150, charge: "13438.35", ndc: "00006302602", ndcQuantity: 2, ndcUnit: "UN", administrationIds: ["mar-1"] });
      }),
      check: (r) => {
        const waste = r.findings.filter((f) => f.code === "WASTE_UNBILLED" || f.code === "JZ_MISSING");
        return waste.length === 0 && !r.corrected.lines.some((l) => l.procedure.modifiers.includes("JW")) ? null : `findings ${r.findings.map((f) => f.code).join(", ")}`;
      },
    },
    {
      id: "sequential-second-biologic", description: "a second monoclonal antibody infused after the first is sequential: 96417, one initial 96413",
      record: visit((v) => {
        v.administrations = [mar(), mar({ id: "mar-2", orderId: "ord-2", drugName: "bevacizumab", hcpcs: "J9035", ndc: "50242-0060-01", dose: { value: 400, unit: "mg" }, start: at("09:35"), stop: at("10:05"), wasted: { value: 0, unit: "mg" }, containersOpened: 1 })];
        v.orders = [...v.orders!, { ...v.orders![0]!, id: "ord-2", drugName: "bevacizumab", hcpcs: "J9035", dose: { value: 400, unit: "mg" } }];
        v.charges.push(charge({ id: "c3", code: "96413", units: 1, charge: "420.00", administrationIds: ["mar-2"] }));
      }),
      check: (r) => (lineOf(r.corrected, "96417")?.units === 1 && r.corrected.lines.filter((l) => l.procedure.code === "96413").length === 1 ? null : `lines ${codes(r.corrected).join(", ")}`),
    },
  ];
}
