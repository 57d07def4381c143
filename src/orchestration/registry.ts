/** The agent registry: definitions with the dependencies each was registered with. */
import { NotFoundError } from "../../tools/errors.js";
import type { ActionTypeDefinition, AgentDefinition, WorkItemType } from "./agent-definition.js";
import { checkEditSchema } from "./edits.js";

interface Registered {
  definition: AgentDefinition<unknown>;
  deps: unknown;
}

/** Holds every agent the service runs. */
export class AgentRegistry {
  private readonly agents = new Map<string, Registered>();

  /** Registers an agent with its dependencies (model, EHR and clearinghouse clients …). */
  register<D>(definition: AgentDefinition<D>, deps: D): this {
    if (this.agents.has(definition.id)) throw new Error(`Agent ${definition.id} is registered twice`);
    const types = new Set<string>();
    for (const a of definition.actionTypes) {
      if (types.has(a.type)) throw new Error(`Agent ${definition.id} declares action type ${a.type} twice`);
      types.add(a.type);
      checkEditSchema(definition.id, a as ActionTypeDefinition<unknown, unknown>);
    }
    this.agents.set(definition.id, { definition: definition as AgentDefinition<unknown>, deps });
    return this;
  }

  /** The agent with this id, or a NotFoundError. */
  get(id: string): Registered {
    const found = this.agents.get(id);
    if (found === undefined) throw new NotFoundError(`No agent ${id}`);
    return found;
  }

  /** Every registered definition, in registration order. */
  list(): AgentDefinition<unknown>[] {
    return [...this.agents.values()].map((r) => r.definition);
  }

  /** Agents that handle a work item type. */
  handling(type: WorkItemType): AgentDefinition<unknown>[] {
    return this.list().filter((d) => d.handles.includes(type));
  }

  /** An action type of an agent, or a NotFoundError. */
  actionType(agentId: string, type: string): ActionTypeDefinition<unknown, unknown> {
    const def = this.get(agentId).definition.actionTypes.find((a) => a.type === type);
    if (def === undefined) throw new NotFoundError(`Agent ${agentId} has no action type ${type}`);
    return def as ActionTypeDefinition<unknown, unknown>;
  }
}
