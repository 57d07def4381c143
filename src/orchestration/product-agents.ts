/**
 * The product's agents, registered with the dependencies the service built for them. Tests build
 * their own registries (a test agent, or these agents over a sandbox).
 */
import { eligibilityAgent } from "../../agents/eligibility/graph.js";
import type { PreBillDeps } from "../../agents/pre-bill/deps.js";
import { preBillAgent } from "../../agents/pre-bill/graph.js";
import { priorAuthAgent } from "../../agents/prior-auth/graph.js";
import type { PreServiceDeps } from "../../agents/shared/pre-service-deps.js";
import { AgentRegistry } from "./registry.js";

/** Every product agent, in the order their runs start for one work item (the pre-bill agent when its dependencies are given). */
export function productRegistry(deps: PreServiceDeps, preBill?: PreBillDeps): AgentRegistry {
  const registry = new AgentRegistry()
    .register(eligibilityAgent(), deps)
    .register(priorAuthAgent(), deps);
  return preBill === undefined ? registry : registry.register(preBillAgent(preBill), preBill);
}
