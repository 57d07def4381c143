/**
 * The eligibility exceptions of a visit, from the chart and the 271's interpretation — pure, so
 * every rule is testable without a payer: no coverage on file, no answer from the payer, the
 * request rejected at a level (payer, provider, subscriber, dependent), coverage inactive on the
 * date of service, an answer that does not cover that date (re-check), active pending
 * investigation, no coverage status at all (undetermined), a benefit inquiry rejected, a
 * pharmacy-benefit drug scheduled as buy-and-bill, a benefit the 271 leaves ambiguous. Each
 * attention field says what the payer did and did not say (the interpretation's message).
 */
import type { z } from "zod";
import { describeRejection } from "../../tools/payer/eligibility/rejections.js";
import type { VisitChart } from "../shared/chart.js";
import type { ExceptionReason } from "../shared/pre-service-checks.js";
import type { AttentionField } from "./actions.js";
import type { BenefitFactsState, PayerExchange } from "./state.js";

type Field = z.infer<typeof AttentionField>;
type Facts = z.infer<typeof BenefitFactsState>;

/** The exception and what a clean visit needs, per finding that is not active. */
function coverageException(f: Facts, dos: string): { reason: ExceptionReason; expected: string } | null {
  switch (f.finding) {
    case "active":
      return null;
    case "rejected":
      return { reason: `aaa-rejection-${f.rejectedAt ?? "payer"}` as ExceptionReason, expected: `the payer accepts the inquiry and answers for ${dos}` };
    case "inactive-on-date":
      return { reason: "coverage-inactive", expected: `coverage active on ${dos}` };
    case "not-verified-for-date":
      return { reason: "coverage-not-verified-for-dos", expected: `a 271 that covers ${dos} (re-check eligibility)` };
    case "pending-investigation":
      return { reason: "coverage-pending-investigation", expected: `the payer confirms coverage on ${dos} (a person asks the payer)` };
    case "undetermined":
      return { reason: "coverage-undetermined", expected: `the payer states coverage for ${dos} (a person asks the payer)` };
  }
}

/** The exceptions found and the fields behind them. */
export function eligibilityExceptions(chart: VisitChart, benefits: Facts | null, exchange: z.infer<typeof PayerExchange> | null): { reasons: ExceptionReason[]; fields: Field[] } {
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
  const dos = chart.appointment.dateOfService;
  const who = benefits.subject === "dependent" ? `dependent on member ${coverage.memberId}` : `member ${coverage.memberId}`;
  const failed = coverageException(benefits, dos);
  if (failed !== null) {
    add(failed.reason, { field: `coverage (${who})`, found: benefits.reason, expected: failed.expected });
    return { reasons, fields };
  }
  for (const r of benefits.rejections.filter((x) => x.level === "benefit")) {
    add("aaa-rejection-benefit", { field: `benefit inquiry (${who})`, found: describeRejection(r), expected: "the payer answers every benefit asked about" });
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
