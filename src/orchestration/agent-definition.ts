/**
 * What an agent author writes: a definition with its action types and a `build` that returns its
 * compiled LangGraph subgraph. The platform wraps it with gating, review, execution and audit.
 */
import type { z } from "zod";
import type { Logger } from "pino";
import type pg from "pg";
import type { AuditInput } from "../governance/audit-log.js";
import type { AuditRecorder } from "./audit-recorder.js";

/** An action type an agent may propose. */
export interface ActionTypeDefinition<P = Record<string, unknown>, D = unknown> {
  type: string;
  description: string;
  /** Always reviewed by a person, whatever the autonomy phase (e.g. a medical-necessity appeal). */
  humanOnly: boolean;
  /** Confidence at or above which a `partial` agent executes it. */
  threshold: number;
  /** Schema of the payload (an edited payload must pass it too). */
  payloadSchema: z.ZodType<P>;
  /**
   * What a person may change in a review: an object of the editable fields, each optional (a
   * reviewer sends only what changed). Identity fields (patient, appointment, coverage, claim,
   * payer, idempotency key — see `IDENTITY_FIELDS`) are never editable; an empty object makes
   * nothing editable. The README lists each action type's editable fields.
   */
  editSchema: z.ZodObject;
  /**
   * Applies a checked edit to the payload and rebuilds everything derived from the edited fields
   * (a 278's messages, a PAS bundle …), having the tools check the edited values; throws a
   * BadInputError naming a field they refuse. Without it the edited fields replace the payload's.
   */
  applyEdit?(payload: P, edit: Record<string, unknown>): P;
  /**
   * Performs the action with the agent's dependencies (clearinghouse, EHR …); must pass
   * `idempotencyKey` on to anything it submits elsewhere.
   */
  execute(payload: P, context: ActionContext, deps: D): Promise<unknown>;
}

/** Context for executing an action. */
export interface ActionContext {
  idempotencyKey: string;
  runId: string;
  agent: string;
  executedBy: string;
  /** The platform's pool, audit recorder, logger and clock, for actions that record what they did. */
  services: PlatformServices;
}

/** The platform services every agent's nodes receive by injection. */
export interface PlatformServices {
  pool: pg.Pool;
  audit: AuditRecorder;
  logger: Logger;
  /** The clock; tests and sweeps inject their own. */
  now: () => Date;
}

/** A work item type the top-level router knows. */
export type WorkItemType = "appointment" | "claim" | "remittance" | "test";

/** The contract of a compiled agent subgraph: reads these keys, writes `proposals`. */
export interface AgentSubgraphIO {
  runId: string;
  workItem: Record<string, unknown>;
}

/** A registered agent. */
export interface AgentDefinition<D = unknown> {
  id: string;
  title: string;
  description: string;
  /** Work items the top-level router sends to this agent. */
  handles: WorkItemType[];
  actionTypes: ActionTypeDefinition<never, D>[];
  /**
   * When the run's LangGraph checkpoint is written: `exit` (the default) when the run completes,
   * fails or pauses for a person, which is what a paused run, a retry of a failed run and recovery
   * at start-up resume from; `sync` after every step as well, for long runs that must resume
   * mid-way after a crash of the process.
   */
  durability?: "sync" | "exit";
  /**
   * Builds the compiled subgraph from its dependencies. Its state must include `runId`,
   * `workItem` and `proposals` (an array of ProposedAction), which the platform reads.
   */
  build(services: PlatformServices, deps: D): CompiledSubgraph;
  /**
   * Writes the run's database effects — what its nodes found and put in the state's `effects`
   * (pre-service checks, authorization-ledger draws) instead of writing them on the pool — on
   * `context.client`, inside the transaction that first ends the run (waiting for a person, or
   * completed) with its review items, status and audit entries; returns the entries describing
   * them, appended in that transaction. So a crash leaves either the run ended with its effects
   * and their entries, or none of them, and a retry finds the effects only of runs that ended
   * (DESIGN: an entry is durable no later than its effect, in the same transaction). Called once
   * per run: a later drive (a resume, a retry) does not write them again.
   */
  writeEffects?(effects: unknown[], context: RunEffectsContext): Promise<AuditInput[]>;
}

/** Where and for whom `writeEffects` writes. */
export interface RunEffectsContext {
  /** The client of the transaction that ends the run. */
  client: pg.PoolClient;
  runId: string;
  agent: string;
  /** The time the run ends at. */
  now: Date;
}

/** A compiled LangGraph graph usable as a node (kept structural to avoid generic noise). */
export interface CompiledSubgraph {
  invoke(input: unknown, config?: unknown): Promise<unknown>;
}
