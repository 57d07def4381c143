/**
 * estimate-patient-share: with coverage active, the patient's share of the drugs the clinic will
 * bill (buy-and-bill on the medical benefit): billing units from each ordered dose, priced at the
 * plan's contract (or the Medicare rate), deductible first, coinsurance, capped at out-of-pocket.
 * Priced from the ASP file in force on the date of service, or — when that quarter is not loaded
 * — from the latest earlier one, marked stale with a lower confidence (the tool says which).
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import type { ContractTerms as PriceContract } from "../../../tools/coding/expected-payment.js";
import { unitsForOrder } from "../../../tools/coding/order-units.js";
import { estimatePatientShare } from "../../../tools/coding/patient-estimate.js";
import type { ContractTerms } from "../../../tools/payer/sandbox/payer-config.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import type { EligibilityStateValue } from "../state.js";
import { stepContext } from "../work-item.js";

/** A plan's contract, as the pricing tool takes it for one drug. */
export function contractForDrug(contract: ContractTerms | undefined, hcpcs: string): PriceContract | undefined {
  if (contract === undefined) return undefined;
  if (contract.kind === "asp-percent") return { kind: "asp-percent", percentOfAsp: contract.percentOfAsp };
  const rate = contract.rates[hcpcs];
  return rate === undefined ? { kind: "asp-percent", percentOfAsp: contract.fallbackPercentOfAsp } : { kind: "fee-schedule", rate };
}

export function estimateShare(services: PlatformServices, deps: PreServiceDeps) {
  return async (state: EligibilityStateValue) => {
    const { chart, benefits } = state;
    if (chart == null || benefits == null || !benefits.found || !benefits.active || chart.coverage === null) return { estimate: null };
    const { payerId, planId } = chart.coverage;
    const payerType = chart.coverage.payerType ?? deps.payerRules.payerType(payerId) ?? "commercial";
    const billed = chart.orders.filter((o) => o.supply !== "white-bag" && o.hcpcs !== null && benefits.routes[o.hcpcs] !== "pharmacy");
    const input = {
      dateOfService: chart.appointment.dateOfService, payerType,
      orders: billed.map((o) => ({ drugName: o.drugName, hcpcs: o.hcpcs, dose: o.dose })),
      benefits: { deductibleRemaining: benefits.deductibleRemaining, coinsurancePercent: benefits.coinsurancePercent, outOfPocketRemaining: benefits.outOfPocketRemaining },
    };
    const estimate = await services.audit.toolCall(stepContext(state, "estimate-patient-share"), "pricing.patient-estimate", input, (i) => {
      const units = i.orders.map((o) => unitsForOrder(deps.tables.drugs, o));
      const lines = units.flatMap((u) => (u.ok ? [{ hcpcs: u.hcpcs, units: u.units.billingUnits }] : []));
      const unitsNotComputed = units.flatMap((u) => (u.ok ? [] : [{ hcpcs: u.hcpcs ?? "?", reason: u.reason }]));
      const contract = deps.payerRules.contract(payerId, planId);
      return {
        ...estimatePatientShare(deps.tables.asp, lines, i.dateOfService, i.benefits, {
          payerType: i.payerType, contractFor: (h) => contractForDrug(contract, h), notPriceable: unitsNotComputed,
        }),
        unitsNotComputed,
      };
    });
    return { estimate };
  };
}
