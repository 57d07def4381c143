/**
 * An agent's database effects commit with its run's end (AgentDefinition.writeEffects, issue 16):
 * in the transaction that first ends the run waiting or completed, once however many times the
 * run is driven again, and never for a run that failed before its end.
 */
import { END, START, StateGraph, StateSchema } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { checkEffect, writePreServiceEffects } from "../../agents/shared/pre-service-effects.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { listReviewItems } from "../../src/governance/reviews.js";
import { createLogger } from "../../src/logger.js";
import type { ActionTypeDefinition, AgentDefinition } from "../../src/orchestration/agent-definition.js";
import { ProposedAction } from "../../src/orchestration/decision.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import type { AgentRuntime } from "../../src/orchestration/runtime.js";
import { testRuntime } from "../helpers/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

interface Deps {
  /** Runs whose effects were written, once per call. */
  written: string[];
  /** The action fails this many more times. */
  failNext: number;
}

const State = new StateSchema({
  runId: z.string(),
  workItem: z.record(z.string(), z.unknown()),
  proposals: z.array(ProposedAction).default(() => []),
  effects: z.array(z.unknown()).default(() => []),
});

/** Finds one check for its work item's subject and proposes one note about it. */
function effectsAgent(): AgentDefinition<Deps> {
  const note: ActionTypeDefinition<{ note: string }, Deps> = {
    type: "file-note", description: "File a note", humanOnly: false, threshold: 0.9,
    payloadSchema: z.object({ note: z.string() }), editSchema: z.strictObject({}),
    execute: async (_payload, _ctx, deps) => {
      if (deps.failNext > 0) {
        deps.failNext -= 1;
        throw new Error("payer timed out");
      }
      return { ok: true };
    },
  };
  return {
    id: "eligibility", title: "Effects test agent", description: "Finds a check; used by the run-effects tests.", handles: ["test"],
    actionTypes: [note] as never,
    writeEffects: writePreServiceEffects,
    build: (services) => new StateGraph(State)
      .addNode("find", async (s: typeof State.State) => {
        const id = s.workItem.id as string;
        return {
          effects: [checkEffect({
            agent: "eligibility", runId: s.runId, sweepId: null, appointmentId: id, patientId: `patient-${id}`, dateOfService: "2026-03-06",
            checkedAt: services.now(), reasons: [], facts: { found: true }, estimate: null,
          })],
          proposals: [{
            actionType: "file-note", idempotencyKey: `note-${id}`, payload: { note: id }, summary: `Note ${id}`, confidence: 0.99, rationale: "test",
            evidence: [{ kind: "rule", ref: "test" }], subject: { type: "test", id }, dueBy: null, humanOnlyReason: null, modelProvider: "none",
          }],
        };
      })
      .addEdge(START, "find").addEdge("find", END)
      .compile(),
  };
}

describe.each(DATABASE_KINDS)("run effects on %s", (kind) => {
  let t: TestDatabase;
  let runtime: AgentRuntime;
  const deps: Deps = { written: [], failNext: 0 };
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const definition = effectsAgent();
    const counted: AgentDefinition<Deps> = {
      ...definition,
      writeEffects: async (effects, context) => {
        deps.written.push(context.runId);
        return definition.writeEffects!(effects, context);
      },
    };
    runtime = await testRuntime(t.db, createLogger({ level: "silent" }), { registry: new AgentRegistry().register(counted, deps) });
  });
  afterAll(async () => t.drop());

  const setPhase = (phase: "advisory" | "full") => t.db.pool.query(
    `INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification) VALUES ('eligibility', '*', $1, 'test', 'test')
     ON CONFLICT (agent, action_type) DO UPDATE SET phase = $1`, [phase]);
  const checksOf = async (runId: string) => (await t.db.pool.query("SELECT appointment_id FROM pre_service_checks WHERE run_id = $1", [runId])).rows;

  it("a run that waits writes its effects with its waiting; resumed to completion, it does not write them again", async () => {
    await setPhase("advisory");
    const started = await runtime.start("eligibility", { type: "test", id: "wait-1" }, { id: "wait-1" });
    expect(started.status).toBe("waiting");
    expect(deps.written).toEqual([started.id]);
    expect(await checksOf(started.id)).toEqual([{ appointment_id: "wait-1" }]);
    const [review] = await listReviewItems(t.db.pool, { runId: started.id });
    const decided = await runtime.decide(review!.id, { type: "accept" }, "staff:test");
    expect(decided.run.status).toBe("completed");
    expect(deps.written).toEqual([started.id]);
    const { rows } = await t.db.pool.query("SELECT effects_written_at FROM runs WHERE id = $1", [started.id]);
    expect(rows[0].effects_written_at).not.toBeNull();
  });

  it("a run that fails after finding its effects writes none; its retry writes them with its end, once", async () => {
    await setPhase("full");
    deps.failNext = 1;
    const failed = await runtime.start("eligibility", { type: "test", id: "fail-1" }, { id: "fail-1" });
    expect(failed.status).toBe("failed");
    expect(deps.written).not.toContain(failed.id);
    expect(await checksOf(failed.id)).toEqual([]);
    const retried = await runtime.retry(failed.id);
    expect(retried.status).toBe("completed");
    expect(deps.written.filter((r) => r === failed.id)).toHaveLength(1);
    expect(await checksOf(failed.id)).toEqual([{ appointment_id: "fail-1" }]);
    // The check and the run's end are in the log's same commit: the end entry follows the failure's.
    const ends = (await queryAudit(t.db.pool, { runId: failed.id })).filter((e) => e.kind.startsWith("run.")).map((e) => e.kind);
    expect(ends).toEqual(["run.started", "run.failed", "run.completed"]);
  });
});
