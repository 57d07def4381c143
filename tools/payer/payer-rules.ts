/**
 * The payer rules the clinic keeps: per payer its network status, and per plan which drugs need an
 * authorization (and for which diagnoses), benefit routing, contract terms and whether the plan is volatile. The
 * file format is the payer configuration's (`sandbox/payer-config.ts`); in a real deployment the
 * same file describes the clinic's real payers.
 */
import type { AuthRule, ContractTerms, PayerConfig, Plan } from "./sandbox/payer-config.js";
import { findPlan } from "./sandbox/payer-config.js";

/** Lookups over a payer configuration. */
export class PayerRules {
  constructor(readonly config: PayerConfig) {}

  /** The plan, or undefined when the clinic has no rules for it. */
  plan(payerId: string | null, planId: string | null): Plan | undefined {
    if (payerId === null || planId === null) return undefined;
    return findPlan(this.config, payerId, planId)?.plan;
  }

  /** The payer's type, or null. */
  payerType(payerId: string | null) {
    return this.config.payers.find((p) => p.id === payerId)?.type ?? null;
  }

  /** The clinic's network status with the payer (payer configuration; in-network when the payer is unknown). */
  networkStatus(payerId: string | null): "in" | "out" {
    return this.config.payers.find((p) => p.id === payerId)?.network ?? "in";
  }

  /** The authorization rule for a drug on a plan, or undefined (no rule known). */
  authRule(payerId: string | null, planId: string | null, hcpcs: string): AuthRule | undefined {
    return this.plan(payerId, planId)?.authRules[hcpcs];
  }

  /** The contract terms of a plan, or undefined. */
  contract(payerId: string | null, planId: string | null): ContractTerms | undefined {
    return this.plan(payerId, planId)?.contract;
  }

  /** Whether eligibility on this plan changes often (recheck the day before the visit). */
  volatile(payerId: string | null, planId: string | null): boolean {
    return this.plan(payerId, planId)?.volatile === true;
  }

  /** Every volatile plan as `payerId|planId`. */
  volatilePlans(): Set<string> {
    return new Set(this.config.payers.flatMap((p) => p.plans.filter((pl) => pl.volatile).map((pl) => `${p.id}|${pl.id}`)));
  }
}
