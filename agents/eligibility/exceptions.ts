/**
 * The eligibility exceptions of a visit, from the chart and the 271's facts — pure, so every
 * rule is testable without a payer: no coverage on file, no answer from the payer, an AAA
 * rejection, coverage inactive on the date of service, a pharmacy-benefit drug scheduled as
 * buy-and-bill, a benefit the 271 leaves ambiguous.
 */
import type { z } from "zod";
import type { VisitChart } from "../shared/chart.js";
import type { ExceptionReason } from "../shared/pre-service-checks.js";
import type { AttentionField } from "./actions.js";
import type { BenefitFactsState, PayerExchange } from "./state.js";

type Field = z.infer<typeof AttentionField>;

/** AAA reject reasons staff see most (X12 271). */
const AAA_MEANING: Record<string, string> = {
  "15": "required application data missing", "42": "payer unable to respond now", "43": "invalid or missing provider identification",
  "58": "invalid or missing date of birth", "72": "invalid or missing member id", "73": "invalid or missing subscriber name",
  "75": "subscriber or insured not found", "76": "duplicate subscriber", "79": "invalid participant identification",
};

/** The exceptions found and the fields behind them. */
export function eligibilityExceptions(
  chart: VisitChart, benefits: z.infer<typeof BenefitFactsState> | null, exchange: z.infer<typeof PayerExchange> | null,
): { reasons: ExceptionReason[]; fields: Field[] } {
  const reasons: ExceptionReason[] = [];
  const fields: Field[] = [];
  const add = (reason: ExceptionReason, field: Field) => {
    if (!reasons.includes(reason)) reasons.push(reason);
    fields.push(field);
  };
  const coverage = chart.coverage;
  if (coverage === null || coverage.payerId === null || coverage.memberId === null) {
    add("coverage-not-on-file", { field: "coverage", found: coverage === null ? "no active coverage in the chart" : "coverage without payer id or member id", expected: "an active primary coverage with payer and member id" });
    return { reasons, fields };
  }
  if (benefits === null) {
    add("payer-unreachable", { field: "eligibility response", found: exchange?.failure ?? "no 271", expected: "a 271 for the date of service" });
    return { reasons, fields };
  }
  if (!benefits.found) {
    const codes = benefits.rejections.map((r) => `AAA ${r.code} (${AAA_MEANING[r.code] ?? "see the payer"})`);
    add("aaa-rejection", { field: `member ${coverage.memberId}`, found: codes.join(", ") || "subscriber not in the 271", expected: "the payer finds the member" });
    return { reasons, fields };
  }
  const dos = chart.appointment.dateOfService;
  if (!benefits.active) {
    add("coverage-inactive", {
      field: "coverage", found: benefits.coverageEnd === null ? `inactive on ${dos}` : `ended ${benefits.coverageEnd}, before the visit on ${dos}`,
      expected: `coverage active on ${dos}`,
    });
    return { reasons, fields };
  }
  for (const order of chart.orders) {
    if (order.hcpcs === null) continue;
    const route = benefits.routes[order.hcpcs];
    if (route === "pharmacy" && order.supply !== "white-bag") {
      add("pharmacy-benefit-buy-and-bill", { field: `benefit route ${order.drugName} (${order.hcpcs})`, found: "plan covers it under the pharmacy benefit; scheduled as buy-and-bill", expected: "supplied by the specialty pharmacy (white bag) or a medical-benefit exception from the plan" });
    } else if (route === "ambiguous" || route === undefined) {
      add("benefit-ambiguous", { field: `benefit route ${order.drugName} (${order.hcpcs})`, found: "the 271 does not say medical or pharmacy (or says both)", expected: "one benefit confirmed with the payer" });
    }
  }
  return { reasons, fields };
}
