/**
 * The run's audit buffer: entries are written at flush points, in causal order, per run; a
 * failing run still records everything it did plus run.failed; concurrent runs never mix.
 */
import { END, START, StateGraph, StateSchema } from "@langchain/langgraph";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { queryAudit, verifyAuditChain, type AuditEntry } from "../../src/governance/audit-log.js";
import type { ActionTypeDefinition, AgentDefinition } from "../../src/orchestration/agent-definition.js";
import { AuditRecorder } from "../../src/orchestration/audit-recorder.js";
import { ProposedAction } from "../../src/orchestration/decision.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import type { AgentRuntime } from "../../src/orchestration/runtime.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { testRuntime } from "../helpers/app.js";
import { SubmissionLog, testAgent } from "./test-agent.js";

type Deps = { log: SubmissionLog };

/** The test agent, with a hook that sees the audit log at the moment an action executes. */
function observedAgent(id: string, onExecute: (runId: string) => Promise<void>, extra: Partial<AgentDefinition<Deps>> = {}): AgentDefinition<Deps> {
  const base = testAgent();
  const actionTypes = (base.actionTypes as unknown as ActionTypeDefinition<{ note: string }, Deps>[]).map((a) => ({
    ...a,
    execute: async (payload: { note: string }, ctx: Parameters<typeof a.execute>[1], deps: Deps) => {
      await onExecute(ctx.runId);
      return a.execute(payload, ctx, deps);
    },
  }));
  return { ...base, ...extra, id, handles: [], actionTypes: actionTypes as never };
}

/** An agent that records a tool call, then fails in its next node. */
function failingAgent(onFail: (runId: string) => Promise<void>): AgentDefinition<Deps> {
  const State = new StateSchema({
    runId: z.string(),
    workItem: z.record(z.string(), z.unknown()),
    proposals: z.array(ProposedAction).default(() => []),
  });
  return {
    ...testAgent(),
    id: "test-failing",
    handles: [],
    build: (services) =>
      new StateGraph(State)
        .addNode("lookup", async (s) => {
          await services.audit.toolCall({ runId: s.runId, agent: "test-failing", node: "lookup" }, "ehr.lookup", { id: 1 }, () => ({ found: true }));
          return {};
        })
        .addNode("explode", async (s) => {
          await onFail(s.runId);
          throw new Error("EHR answered nonsense");
        })
        .addEdge(START, "lookup").addEdge("lookup", "explode").addEdge("explode", END)
        .compile(),
  };
}

const kindsOf = (entries: AuditEntry[]) => entries.map((e) => e.kind);
const indexOf = (entries: AuditEntry[], kind: string) => entries.findIndex((e) => e.kind === kind);

describe.each(DATABASE_KINDS)("run audit buffer on %s", (kind) => {
  let t: TestDatabase;
  let runtime: AgentRuntime;
  const log = new SubmissionLog();
  const seenAtExecution = new Map<string, string[]>();
  const seenAtFailure = new Map<string, string[]>();
  let n = 0;
  /** Called when an action of test-observed-advisory executes (inside its run's drive). */
  let onAdvisoryExecute = (): void => undefined;
  const key = (label: string) => `${label}-${kind}-${(n += 1)}`;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const seen = (into: Map<string, string[]>) => async (runId: string) => {
      into.set(runId, kindsOf(await queryAudit(t.db.pool, { runId })));
    };
    const registry = new AgentRegistry()
      .register(observedAgent("test-observed", seen(seenAtExecution)), { log })
      .register(observedAgent("test-observed-sync", seen(seenAtExecution), { durability: "sync" }), { log })
      .register(observedAgent("test-observed-advisory", async () => onAdvisoryExecute()), { log })
      .register(failingAgent(seen(seenAtFailure)), { log });
    runtime = await testRuntime(t.db, pino({ level: "silent" }), { registry });
    await t.db.pool.query(
      `INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification)
       VALUES ('test-observed', '*', 'full', 'test', 'test'), ('test-observed-sync', '*', 'advisory', 'test', 'test'),
              ('test-observed-advisory', '*', 'advisory', 'test', 'test')`,
    );
  });
  afterAll(async () => t.drop());

  const run = (agent: string, proposals: { key: string; note: string; confidence: number }[]) =>
    runtime.start(agent, { type: "test", id: proposals[0]?.key ?? "none" }, { proposals: proposals.map((p) => ({ actionType: "file-note", ...p })) });

  it("the decision and gate verdict are in the log before the action executes; the trail is in causal order", async () => {
    const k = key("order");
    const started = await run("test-observed", [{ key: k, note: "x", confidence: 0.99 }]);
    expect(started.status).toBe("completed");
    // What the log held when the action ran: everything up to the gate verdict, nothing after.
    // (node.step entries come from the stream and may trail their node by one step.)
    expect(seenAtExecution.get(started.id)?.filter((k) => k !== "node.step")).toEqual(["run.started", "tool.call", "decision", "gate.verdict"]);
    const entries = await queryAudit(t.db.pool, { runId: started.id });
    expect(kindsOf(entries).filter((k) => k !== "node.step")).toEqual(["run.started", "tool.call", "decision", "gate.verdict", "action.executed", "run.completed"]);
    expect(entries.filter((e) => e.kind === "node.step").map((e) => e.node)).toEqual(["gather", "draft", "validate", "gate", "execute"]);
    expect(indexOf(entries, "decision")).toBeLessThan(indexOf(entries, "gate.verdict"));
    expect(indexOf(entries, "gate.verdict")).toBeLessThan(indexOf(entries, "action.executed"));
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => a - b));
    // Times are when each step was recorded: in order, but for node.step entries, which the
    // stream delivers a little after their node ended (possibly after the executor's entry).
    const steps = entries.filter((e) => e.kind !== "node.step").map((e) => e.at);
    expect(steps).toEqual([...steps].sort());
    expect(entries.every((e) => e.at >= entries[0]!.at && e.at <= entries.at(-1)!.at)).toBe(true);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("a failing node records the buffered entries and run.failed with the error, in one piece", async () => {
    const started = await runtime.start("test-failing", { type: "test", id: key("fail") }, { proposals: [] });
    expect(started).toMatchObject({ status: "failed", error: "EHR answered nonsense" });
    // Nothing of the run was written while it ran (the buffer holds it until a flush point).
    expect(seenAtFailure.get(started.id)).toEqual([]);
    const entries = await queryAudit(t.db.pool, { runId: started.id });
    expect(kindsOf(entries)).toEqual(["run.started", "tool.call", "node.step", "run.failed"]);
    expect(entries[1]!.payload).toMatchObject({ tool: "ehr.lookup", input: { id: 1 }, output: { found: true } });
    expect(entries.at(-1)!.payload).toEqual({ error: "EHR answered nonsense" });
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("a failing action: decision and verdict before action.failed, then run.failed; a retry executes once", async () => {
    const k = key("action-fails");
    log.failNext = 1;
    const failed = await run("test-observed", [{ key: k, note: "x", confidence: 0.99 }]);
    expect(failed.status).toBe("failed");
    const kinds = kindsOf(await queryAudit(t.db.pool, { runId: failed.id }));
    expect(kinds.indexOf("gate.verdict")).toBeLessThan(kinds.indexOf("action.failed"));
    expect(kinds.indexOf("action.failed")).toBeLessThan(kinds.indexOf("run.failed"));
    expect(kinds.at(-1)).toBe("run.failed");
    const retried = await runtime.retry(failed.id);
    expect(retried.status).toBe("completed");
    expect(log.submitted.filter((s) => s.idempotencyKey === k)).toHaveLength(1);
    await expect(runtime.retry(failed.id)).rejects.toThrow(/is completed, not failed/);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("concurrent runs keep their own buffers: each run's trail is complete and in order", async () => {
    const proposals = Array.from({ length: 8 }, (_, i) => Array.from({ length: 1 + (i % 3) }, (_, j) => ({ key: key(`conc-${i}-${j}`), note: `n${i}`, confidence: 0.99 })));
    const runs = await Promise.all(proposals.map((p) => run("test-observed", p)));
    for (const [i, r] of runs.entries()) {
      expect(r.status).toBe("completed");
      const entries = await queryAudit(t.db.pool, { runId: r.id });
      const count = proposals[i]!.length;
      expect(entries.filter((e) => e.kind === "tool.call").map((e) => e.payload)).toMatchObject([{ input: { n: count } }]);
      expect(entries.filter((e) => e.kind === "action.executed").map((e) => (e.payload as { idempotencyKey: string }).idempotencyKey))
        .toEqual(proposals[i]!.map((p) => p.key));
      expect(entries[0]!.kind).toBe("run.started");
      expect(entries.at(-1)!.kind).toBe("run.completed");
      // Per proposal: decision … gate.verdict … action.executed, in that order.
      for (const p of proposals[i]!) {
        const of = (k: string) => entries.findIndex((e) => e.kind === k && (e.payload as { idempotencyKey?: string }).idempotencyKey === p.key);
        expect(of("decision")).toBeLessThan(of("gate.verdict"));
        expect(of("gate.verdict")).toBeLessThan(of("action.executed"));
      }
      expect(entries.every((e) => e.runId === r.id)).toBe(true);
    }
    expect(new Set(log.submitted.map((s) => s.idempotencyKey)).size).toBe(log.submitted.length);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("a run paused for a person writes its trail, review item and status together; sync durability resumes too", async () => {
    const k = key("sync");
    const started = await run("test-observed-sync", [{ key: k, note: "x", confidence: 0.99 }]);
    expect(started.status).toBe("waiting");
    const kinds = kindsOf(await queryAudit(t.db.pool, { runId: started.id }));
    expect(kinds.filter((k) => k !== "node.step").slice(-3)).toEqual(["gate.verdict", "review.created", "run.waiting"]);
    const review = (await runtime.getRun(started.id)).reviews[0]!;
    const { run: resumed } = await runtime.decide(review.id, { type: "accept" }, "key:test");
    expect(resumed.status).toBe("completed");
    const after = kindsOf(await queryAudit(t.db.pool, { runId: started.id }));
    expect(after.slice(kinds.length).filter((k) => k !== "node.step")).toEqual(["review.decided", "run.resumed", "action.executed", "run.completed"]);
    expect(log.submitted.filter((s) => s.idempotencyKey === k)).toHaveLength(1);
  });

  it("30 decisions sent at once on one run's drafts (more arriving while it resumes): each entry is written exactly once and the chain verifies", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => key(`burst-${i}`));
    const started = await run("test-observed-advisory", keys.map((k) => ({ key: k, note: k, confidence: 0.99 })));
    expect(started.status).toBe("waiting");
    const before = await queryAudit(t.db.pool, { runId: started.id, limit: 10_000 });
    const reviews = (await runtime.getRun(started.id)).reviews;
    expect(reviews).toHaveLength(30);
    // A resume applying several decisions runs their review tasks in parallel, each flushing the run's buffer.
    // 20 decisions at once; the other 10 at once while the first action executes: the drive applies them in a second resume.
    const decide = (r: (typeof reviews)[number]) => runtime.decide(r.id, { type: "accept" }, "key:test");
    const late: Promise<unknown>[] = [];
    onAdvisoryExecute = () => {
      onAdvisoryExecute = () => undefined;
      late.push(...reviews.slice(20).map(decide));
    };
    await Promise.all(reviews.slice(0, 20).map(decide));
    await Promise.all(late);
    expect(late).toHaveLength(10);
    expect((await runtime.getRun(started.id)).run.status).toBe("completed");
    const entries = await queryAudit(t.db.pool, { runId: started.id, limit: 10_000 });
    const count = (kind: string, of = entries) => of.filter((e) => e.kind === kind).length;
    expect(count("review.decided")).toBe(30);
    expect(entries.filter((e) => e.kind === "action.executed").map((e) => (e.payload as { idempotencyKey: string }).idempotencyKey).sort())
      .toEqual([...keys].sort());
    expect(log.submitted.filter((s) => keys.includes(s.idempotencyKey))).toHaveLength(30);
    // One run.resumed per resume performed (each ends with run.waiting or run.completed), each decision applied by one of them.
    const resumed = entries.filter((e) => e.kind === "run.resumed");
    expect(count("run.completed")).toBe(1);
    expect(resumed.length).toBe(count("run.waiting") - count("run.waiting", before) + 1);
    expect(resumed.flatMap((e) => (e.payload as { decisions: { reviewId: string }[] }).decisions.map((d) => d.reviewId)).sort())
      .toEqual(reviews.map((r) => r.id).sort());
    // Each step once: the start's, then one review step per draft.
    const steps = (of: AuditEntry[]) => of.filter((e) => e.kind === "node.step").map((e) => e.node);
    expect(steps(entries)).toEqual([...steps(before), ...keys.map(() => "review")]);
    // No other entry twice (a duplicate differs only in its id and its place in the chain).
    const contents = entries.filter((e) => e.kind !== "node.step").map((e) => JSON.stringify([e.kind, e.node, e.subjectId, e.at, e.payload]));
    expect(new Set(contents).size).toBe(contents.length);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });
});

describe("AuditRecorder buffer", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => t.drop());

  it("keeps entries until a transaction commits, with the time they were recorded", async () => {
    let clock = new Date("2026-03-01T10:00:00.000Z");
    const recorder = new AuditRecorder(t.db.pool, () => clock);
    const ctx = { runId: "run-a", agent: "test", node: "n" };
    recorder.open("run-a");
    expect(() => recorder.open("run-a")).toThrow(/already being driven/);
    await recorder.record(ctx, "tool.call", { i: 1 });
    const payload = { i: 2 };
    await recorder.record(ctx, "tool.call", payload);
    payload.i = 99; // changed after recording: the entry keeps what was recorded
    await recorder.record({ ...ctx, runId: "run-b" }, "tool.call", { unbuffered: true });
    expect(kindsOf(await queryAudit(t.db.pool, { runId: "run-a" }))).toEqual([]);
    expect(await queryAudit(t.db.pool, { runId: "run-b" })).toHaveLength(1);

    clock = new Date("2026-03-01T11:00:00.000Z");
    await expect(recorder.commit("run-a", async () => {
      throw new Error("boom");
    })).rejects.toThrow("boom");
    expect(recorder.buffered("run-a")).toHaveLength(2);
    expect(await queryAudit(t.db.pool, { runId: "run-a" })).toEqual([]);

    await recorder.commit("run-a", async () => ({ value: null, entries: [recorder.entry(ctx, "run.completed", {}, "platform")] }));
    recorder.close("run-a");
    const written = await queryAudit(t.db.pool, { runId: "run-a" });
    expect(written.map((e) => [e.kind, e.payload, e.at])).toEqual([
      ["tool.call", { i: 1 }, "2026-03-01T10:00:00.000Z"],
      ["tool.call", { i: 2 }, "2026-03-01T10:00:00.000Z"],
      ["run.completed", {}, "2026-03-01T11:00:00.000Z"],
    ]);
    expect(recorder.buffered("run-a")).toEqual([]);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("flushes at once on one run write each entry once, in order, dropping nothing recorded meanwhile; a failed write's entries go with the next", async () => {
    const recorder = new AuditRecorder(t.db.pool, () => new Date());
    const ctx = { runId: "run-burst", agent: "test", node: "n" };
    const note = (i: number) => recorder.record(ctx, "tool.call", { i });
    recorder.open("run-burst");
    await note(1);
    const first = recorder.flush("run-burst");
    await note(2);
    const second = recorder.flush("run-burst");
    await note(3);
    await Promise.all([first, second]);
    // A write that fails while another waits: the waiting one writes what the failed one took, first.
    await note(4);
    const failing = recorder.commit("run-burst", async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error("boom");
    });
    await note(5);
    const after = recorder.flush("run-burst");
    await expect(failing).rejects.toThrow("boom");
    await after;
    await note(6);
    await recorder.flush("run-burst");
    recorder.close("run-burst");
    const written = await queryAudit(t.db.pool, { runId: "run-burst" });
    expect(written.map((e) => (e.payload as { i: number }).i)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("appends many entries in one transaction across INSERT batches", async () => {
    const recorder = new AuditRecorder(t.db.pool, () => new Date());
    recorder.open("run-many");
    for (let i = 0; i < 1_203; i += 1) await recorder.record({ runId: "run-many", agent: "test", node: "n" }, "node.step", { i });
    await recorder.flush("run-many");
    recorder.close("run-many");
    const written = await queryAudit(t.db.pool, { runId: "run-many", limit: 10_000 });
    expect(written.map((e) => (e.payload as { i: number }).i)).toEqual(Array.from({ length: 1_203 }, (_, i) => i));
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });
});
