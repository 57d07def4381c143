import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { queryAudit, verifyAuditChain } from "../../src/governance/audit-log.js";
import { changePhase, DEFAULT_AUTONOMY_POLICY } from "../../src/governance/autonomy.js";
import { getReviewItem, recordDecision } from "../../src/governance/reviews.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import type { App } from "../../src/server/app.js";
import type { AgentRuntime } from "../../src/orchestration/runtime.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";
import { SubmissionLog, startTestAgentApp, testAgent } from "./test-agent.js";

type Proposal = { actionType: "file-note" | "appeal-medical-necessity"; key: string; note: string; confidence: number; modelProvider?: "openai" | "offline" | "none" };
const subject = (id: string) => ({ type: "test", id });

describe.each(DATABASE_KINDS)("agent runtime on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let runtime: AgentRuntime;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;
  const log = new SubmissionLog();
  let n = 0;
  const key = (label: string) => `${label}-${kind}-${(n += 1)}`;

  let close: () => Promise<void>;
  beforeAll(async () => ({ t, app, runtime, keys, close } = await startTestAgentApp(kind, log)));
  afterAll(() => close());

  const run = (proposals: Proposal[]) => runtime.start("test-escalator", subject(proposals[0]?.key ?? "none"), { proposals });
  const decide = (reviewId: string, body: unknown, headers = keys.staff) =>
    app.inject({ method: "POST", url: `/v1/reviews/${reviewId}/decision`, headers, payload: body as object });
  const setPhase = (phase: "advisory" | "partial" | "full") =>
    t.db.pool.query(
      `INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification) VALUES ('test-escalator', '*', $1, 'test', 'test')
       ON CONFLICT (agent, action_type) DO UPDATE SET phase = $1`, [phase]);

  it("advisory: pauses with an Agent Inbox review item; accept executes exactly once and the trail is complete", async () => {
    await setPhase("advisory");
    const k = key("adv");
    const started = await run([{ actionType: "file-note", key: k, note: "coverage verified", confidence: 0.99 }]);
    expect(started.status).toBe("waiting");
    expect(log.submitted.some((s) => s.idempotencyKey === k)).toBe(false);

    const list = await app.inject({ method: "GET", url: "/v1/reviews?status=pending&agent=test-escalator", headers: keys.staff });
    const review = (list.json() as { reviews: { id: string; runId: string; dueBy: string; confidence: number }[] })
      .reviews.find((r) => r.runId === started.id);
    expect(review).toBeDefined();
    // The list is compact; the item itself carries the Agent Inbox payload.
    expect(review).not.toHaveProperty("interrupt");
    const detail = await app.inject({ method: "GET", url: `/v1/reviews/${review!.id}`, headers: keys.staff });
    expect(detail.json().interrupt).toMatchObject({
      action_request: { action: "file-note", args: { note: "coverage verified" } },
      config: { allow_accept: true, allow_edit: true, allow_respond: true, allow_ignore: true },
    });
    expect(review!.dueBy).toBe("2026-12-01T00:00:00.000Z");

    const decided = await decide(review!.id, { type: "accept" });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({ review: { status: "accepted" }, run: { status: "completed" } });
    expect(log.submitted.filter((s) => s.idempotencyKey === k)).toHaveLength(1);
    expect((await decide(review!.id, { type: "accept" })).statusCode).toBe(409);

    const kinds = (await queryAudit(t.db.pool, { runId: started.id })).map((e) => e.kind);
    for (const expected of ["run.started", "tool.call", "node.step", "decision", "gate.verdict", "review.created", "run.waiting",
      "review.decided", "run.resumed", "action.executed", "run.completed"]) {
      expect(kinds).toContain(expected);
    }
    const runView = await app.inject({ method: "GET", url: `/v1/runs/${started.id}`, headers: keys.council });
    expect(runView.json()).toMatchObject({ run: { status: "completed" }, state: { outcomes: [{ status: "executed", reviewDecision: "accept" }] } });
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("edit executes the edited payload and keeps before and after; an invalid edit is refused", async () => {
    const k = key("edit");
    const started = await run([{ actionType: "file-note", key: k, note: "draft text", confidence: 0.5 }]);
    const reviewId = (await runtime.getRun(started.id)).reviews[0]!.id;
    const bad = await decide(reviewId, { type: "edit", args: { note: "" } });
    expect(bad.statusCode).toBe(400);
    const ok = await decide(reviewId, { type: "edit", args: { note: "corrected text" } });
    expect(ok.json()).toMatchObject({ review: { status: "edited", editBefore: { note: "draft text" }, editAfter: { note: "corrected text" } } });
    expect(log.submitted.find((s) => s.idempotencyKey === k)?.note).toBe("corrected text");
  });

  it("ignore and response execute nothing; the response text is kept", async () => {
    const k1 = key("ign");
    const k2 = key("resp");
    const started = await run([
      { actionType: "file-note", key: k1, note: "a", confidence: 0.2 },
      { actionType: "file-note", key: k2, note: "b", confidence: 0.2 },
    ]);
    const first = (await runtime.getRun(started.id)).reviews[0]!;
    expect((await decide(first.id, { type: "ignore" })).json()).toMatchObject({ run: { status: "waiting" } });
    const second = (await runtime.getRun(started.id)).reviews.find((r) => r.status === "pending")!;
    const res = await decide(second.id, { type: "response", args: "Call the payer before filing" });
    expect(res.json()).toMatchObject({ review: { status: "responded" }, run: { status: "completed" } });
    expect(log.submitted.some((s) => s.idempotencyKey === k1 || s.idempotencyKey === k2)).toBe(false);
    const skipped = await queryAudit(t.db.pool, { runId: started.id, kind: "action.skipped" });
    expect(skipped.map((e) => (e.payload as { response?: string }).response)).toContain("Call the payer before filing");
  });

  it("ignore takes an optional reason and a response is a note: both kept on the item, in the trail and in the run's outcome; nothing executes", async () => {
    const [k1, k2, k3] = [key("ign-why"), key("note"), key("ign-bare")];
    const started = await run([
      { actionType: "file-note", key: k1, note: "a", confidence: 0.2 },
      { actionType: "file-note", key: k2, note: "b", confidence: 0.2 },
      { actionType: "file-note", key: k3, note: "c", confidence: 0.2 },
    ]);
    const reviews = await Promise.all((await runtime.getRun(started.id)).reviews.map((r) => getReviewItem(t.db.pool, r.id)));
    const [ignored, responded, bare] = ["a", "b", "c"].map((note) => reviews.find((r) => r.draft.note === note));
    const why = "Duplicate of the request filed by phone on Monday";
    expect((await decide(ignored!.id, { type: "ignore", args: "   " })).statusCode).toBe(400);
    expect((await decide(ignored!.id, { type: "ignore", args: "x".repeat(2001) })).statusCode).toBe(400);
    const res = await decide(ignored!.id, { type: "ignore", args: why });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ review: { status: "ignored", decision: { type: "ignore", args: why } } });
    expect((await decide(responded!.id, { type: "response", args: "Payer says call back after the 10th" })).statusCode).toBe(200);
    expect((await decide(bare!.id, { type: "ignore" })).json()).toMatchObject({ review: { status: "ignored" }, run: { status: "completed" } });
    expect(log.submitted.some((s) => [k1, k2, k3].includes(s.idempotencyKey))).toBe(false);
    const decided = await queryAudit(t.db.pool, { runId: started.id, kind: "review.decided" });
    expect(decided.map((e) => e.payload)).toMatchObject([
      { reviewId: ignored!.id, decision: "ignore", reason: why }, { reviewId: responded!.id, decision: "response", response: "Payer says call back after the 10th" },
      { reviewId: bare!.id, decision: "ignore" },
    ]);
    const skipped = await queryAudit(t.db.pool, { runId: started.id, kind: "action.skipped" });
    expect(skipped.find((e) => (e.payload as { idempotencyKey: string }).idempotencyKey === k1)?.payload).toMatchObject({ decision: "ignore", reason: why });
    const outcomes = ((await runtime.getRun(started.id)).run.result as { outcomes: { idempotencyKey: string; status: string; note?: string }[] }).outcomes;
    expect(Object.fromEntries(outcomes.map((o) => [o.idempotencyKey, [o.status, o.note ?? null]]))).toEqual({
      [k1]: ["skipped", why], [k2]: ["skipped", "Payer says call back after the 10th"], [k3]: ["skipped", null],
    });
  });

  it("an accept and an edit may carry a reason: kept with the decision and in the trail", async () => {
    const [k1, k2] = [key("acc-why"), key("edit-why")];
    const started = await run([
      { actionType: "file-note", key: k1, note: "a", confidence: 0.2 },
      { actionType: "file-note", key: k2, note: "b", confidence: 0.2 },
    ]);
    const reviews = await Promise.all((await runtime.getRun(started.id)).reviews.map((r) => getReviewItem(t.db.pool, r.id)));
    const [accepted, edited] = ["a", "b"].map((note) => reviews.find((r) => r.draft.note === note));
    expect((await decide(accepted!.id, { type: "accept", reason: "x".repeat(2001) })).statusCode).toBe(400);
    const res = await decide(accepted!.id, { type: "accept", reason: "Checked against the payer portal" });
    expect(res.json()).toMatchObject({ review: { status: "accepted", decision: { type: "accept", reason: "Checked against the payer portal" } } });
    expect((await decide(edited!.id, { type: "edit", args: { note: "b, corrected" }, reason: "The chart says otherwise" })).statusCode).toBe(200);
    const decided = await queryAudit(t.db.pool, { runId: started.id, kind: "review.decided" });
    expect(decided.map((e) => e.payload)).toMatchObject([
      { reviewId: accepted!.id, decision: "accept", reason: "Checked against the payer portal" },
      { reviewId: edited!.id, decision: "edit", reason: "The chart says otherwise" },
    ]);
  });

  it("an edit names only the fields it changes: an unknown or identity field, or an edit that changes nothing, is a 400 naming the field", async () => {
    const k = key("edit-fields");
    const started = await run([{ actionType: "file-note", key: k, note: "draft text", confidence: 0.5 }]);
    const reviewId = (await runtime.getRun(started.id)).reviews[0]!.id;
    const item = (await app.inject({ method: "GET", url: `/v1/reviews/${reviewId}`, headers: keys.staff })).json() as { editable: unknown };
    expect(item.editable).toMatchObject({ fields: ["note"], values: { note: "draft text" }, schema: { type: "object", properties: { note: { type: "string" } } } });
    const problem = async (args: unknown) => {
      const res = await decide(reviewId, { type: "edit", args });
      expect(res.statusCode).toBe(400);
      return res.json() as { detail: string; details: { field?: string } };
    };
    expect(await problem({ note: "x", idempotencyKey: "another" })).toMatchObject({ details: { field: "idempotencyKey" } });
    expect(await problem({ memo: "x" })).toMatchObject({ detail: "memo: is not an editable field of file-note (editable: note)", details: { field: "memo" } });
    expect(await problem({ note: "draft text" })).toMatchObject({ detail: "The edit changes nothing: accept the draft instead" });
    expect((await app.inject({ method: "GET", url: `/v1/reviews/${reviewId}`, headers: keys.staff })).json()).toMatchObject({ status: "pending" });
    expect(log.submitted.some((s) => s.idempotencyKey === k)).toBe(false);
  });

  it("gate: partial executes confident actions, reviews the rest; human-only is always reviewed; offline drafts are capped", async () => {
    await setPhase("partial");
    const [hi, lo, human, offline] = [key("hi"), key("lo"), key("human"), key("offline")];
    const started = await run([
      { actionType: "file-note", key: hi, note: "x", confidence: 0.95 },
      { actionType: "file-note", key: lo, note: "x", confidence: 0.5 },
      { actionType: "appeal-medical-necessity", key: human, note: "x", confidence: 0.99 },
      { actionType: "file-note", key: offline, note: "x", confidence: 0.99, modelProvider: "offline" },
    ]);
    expect(log.submitted.some((s) => s.idempotencyKey === hi)).toBe(true);
    expect(started.status).toBe("waiting");
    // Every proposal is gated at once; each one for a person is its own review item.
    const all = (await queryAudit(t.db.pool, { runId: started.id, kind: "gate.verdict" })).map((v) => v.payload as { verdict: string; reason: string; confidence: number });
    expect(all.map((v) => v.verdict)).toEqual(["execute", "review", "review", "review"]);
    expect(all[2]!.reason).toBe("human-only decision");
    expect(all[3]!.confidence).toBe(0.6);
    const reviews = (await runtime.getRun(started.id)).reviews;
    expect(reviews.map((r) => r.status)).toEqual(["pending", "pending", "pending"]);
    // Decided in any order, each applied as it comes; the run completes with the last.
    const order = [reviews[2]!, reviews[0]!, reviews[1]!];
    for (const [i, r] of order.entries()) {
      expect((await decide(r.id, { type: "ignore" })).statusCode).toBe(200);
      const after = await runtime.getRun(started.id);
      expect(after.run.status).toBe(i < 2 ? "waiting" : "completed");
      // The run still waits on exactly the undecided drafts, each still its one review item.
      const decided = new Set(order.slice(0, i + 1).map((d) => d.id));
      expect(after.reviews.map((x) => [x.id, x.status])).toEqual(reviews.map((x) => [x.id, decided.has(x.id) ? "ignored" : "pending"]));
    }
    const outcomes = (await runtime.getRun(started.id)).run.result as { outcomes: { idempotencyKey: string; status: string }[] };
    expect(Object.fromEntries(outcomes.outcomes.map((o) => [o.idempotencyKey, o.status]))).toEqual({ [hi]: "executed", [lo]: "skipped", [human]: "skipped", [offline]: "skipped" });
    await setPhase("full");
    const h2 = key("human-full");
    const s2 = await run([{ actionType: "appeal-medical-necessity", key: h2, note: "x", confidence: 1 }]);
    expect(s2.status).toBe("waiting");
    await setPhase("advisory");
  });

  it("council may read reviews and the audit trail but not decide; staff may not change autonomy", async () => {
    const k = key("roles");
    const started = await run([{ actionType: "file-note", key: k, note: "x", confidence: 0.1 }]);
    const reviewId = (await runtime.getRun(started.id)).reviews[0]!.id;
    expect((await decide(reviewId, { type: "accept" }, keys.council)).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: `/v1/reviews/${reviewId}`, headers: keys.council })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/v1/audit/verify", headers: keys.staff })).statusCode).toBe(403);
    const promote = await app.inject({
      method: "POST", url: "/v1/agents/test-escalator/autonomy", headers: keys.staff,
      payload: { phase: "partial", justification: "staff trying to promote" },
    });
    expect(promote.statusCode).toBe(403);
  });

  it("a failed action is retried under the same idempotency key and executes once", async () => {
    await setPhase("full");
    const k = key("retry");
    log.failNext = 1;
    const failed = await run([{ actionType: "file-note", key: k, note: "x", confidence: 1 }]);
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("payer timed out");
    const retried = await runtime.retry(failed.id);
    expect(retried.status).toBe("completed");
    expect(log.submitted.filter((s) => s.idempotencyKey === k)).toHaveLength(1);
    // A second run proposing the same action finds it done and does not submit again.
    const again = await run([{ actionType: "file-note", key: k, note: "x", confidence: 1 }]);
    expect(again.result).toMatchObject({ outcomes: [{ status: "duplicate" }] });
    expect(log.submitted.filter((s) => s.idempotencyKey === k)).toHaveLength(1);
    const { rows } = await t.db.pool.query("SELECT status, attempts FROM actions WHERE idempotency_key = $1", [k]);
    expect(rows).toEqual([{ status: "executed", attempts: 2 }]);
    await setPhase("advisory");
  });

  it("recover() resumes a run whose review was decided but not resumed before a stop", async () => {
    const k = key("recover");
    const started = await run([{ actionType: "file-note", key: k, note: "x", confidence: 0.1 }]);
    const review = (await runtime.getRun(started.id)).reviews[0]!;
    // The decision is recorded, then the process "stops" before resuming.
    await recordDecision(t.db.pool, review.id, { type: "accept" }, "key:test", runtime.registry.actionType("test-escalator", "file-note"), new Date());
    expect(log.submitted.some((s) => s.idempotencyKey === k)).toBe(false);
    expect(await runtime.recover()).toBe(1);
    expect(log.submitted.filter((s) => s.idempotencyKey === k)).toHaveLength(1);
    expect((await runtime.getRun(started.id)).run.status).toBe("completed");
  });

  it("promotion is refused with the unmet criteria, granted when earned, and demoted when the record falls", async () => {
    const policy = { ...DEFAULT_AUTONOMY_POLICY, partial: { minReviewed: 4, minAcceptedWithoutEdit: 0.75, minDays: 0 } };
    await t.db.pool.query("DELETE FROM agent_autonomy");
    const refused = await app.inject({
      method: "POST", url: "/v1/agents/test-escalator/autonomy", headers: keys.admin,
      payload: { phase: "full", justification: "we trust it completely" },
    });
    expect(refused.statusCode).toBe(409);
    expect((refused.json() as { details: { unmet: string[] } }).details.unmet.join(" ")).toMatch(/reviewed decisions/);
    expect((await queryAudit(t.db.pool, { kind: "autonomy.refused" })).length).toBeGreaterThan(0);

    // The record so far has accepted, edited, ignored and responded reviews: only 2 accepted as drafted.
    await expect(changePhase(t.db.pool, { agent: "test-escalator", phase: "partial", justification: "x", actor: "key:admin" }, policy, new Date()))
      .rejects.toThrow(/accepted without edit/);
    const easy = { ...policy, partial: { minReviewed: 1, minAcceptedWithoutEdit: 0.1, minDays: 0 } };
    const granted = await changePhase(t.db.pool, { agent: "test-escalator", phase: "partial", justification: "earned", actor: "key:admin" }, easy, new Date());
    expect(granted).toMatchObject({ from: "advisory", to: "partial" });
    const agents = await app.inject({ method: "GET", url: "/v1/agents", headers: keys.staff });
    expect(agents.json()).toMatchObject({ agents: [{ id: "test-escalator", phase: "partial", actionTypes: [{ type: "file-note", editable: ["note"] }, { editable: ["note"] }] }] });
    // With the stricter policy the record no longer supports partial: the next review demotes.
    const { demoteIfBelow } = await import("../../src/governance/autonomy.js");
    expect(await demoteIfBelow(t.db.pool, "test-escalator", policy, new Date())).toBe("advisory");
    const changes = await queryAudit(t.db.pool, { kind: "autonomy.changed" });
    expect(changes.at(-1)).toMatchObject({ actor: "system", payload: { from: "partial", to: "advisory" } });
  });
});

describe.each(DATABASE_KINDS)("a paused run survives a restart on %s", (kind) => {
  it("interrupt → stop → start again → resume from the API → the action executes once", async () => {
    const log = new SubmissionLog();
    const dataDir = await mkdtemp(path.join(tmpdir(), "irc-restart-"));
    const server = kind === "postgres" ? await createTestDatabase("postgres") : undefined;
    const open = async () =>
      server === undefined
        ? openDatabase({ kind: "pglite", dataDir })
        : openDatabase({ kind: "postgres", url: server.url! });

    let db = await open();
    await migrate(db.pool);
    let built = await buildTestApp(db, {}, { registry: new AgentRegistry().register(testAgent(), { log }) });
    const keys = await keysForRoles(db);
    const started = await built.runtime.start("test-escalator", subject("restart"), {
      proposals: [{ actionType: "file-note", key: `restart-${kind}`, note: "x", confidence: 0.3 }],
    });
    expect(started.status).toBe("waiting");
    await built.app.close();
    await db.close();

    db = await open();
    built = await buildTestApp(db, {}, { registry: new AgentRegistry().register(testAgent(), { log }) });
    const reviews = await built.app.inject({ method: "GET", url: "/v1/reviews?status=pending", headers: keys.staff });
    const reviewId = (reviews.json() as { reviews: { id: string }[] }).reviews[0]!.id;
    const res = await built.app.inject({ method: "POST", url: `/v1/reviews/${reviewId}/decision`, headers: keys.staff, payload: { type: "accept" } });
    expect(res.json()).toMatchObject({ run: { id: started.id, status: "completed" } });
    expect(log.submitted).toEqual([{ idempotencyKey: `restart-${kind}`, note: "x" }]);
    await built.app.close();
    if (server !== undefined) await server.drop();
    else await db.close();
  });
});

describe("work router", () => {
  it("routes a work item to every agent that handles its type, one run each, and to none otherwise", async () => {
    const t = await createTestDatabase("pglite");
    const log = new SubmissionLog();
    const second = { ...testAgent(), id: "test-second" };
    const registry = new AgentRegistry().register(testAgent(), { log }).register(second, { log });
    const { app } = await buildTestApp(t.db, {}, { registry });
    const keys = await keysForRoles(t.db);
    const res = await app.inject({
      method: "POST", url: "/v1/work-items", headers: keys.service,
      payload: { type: "test", id: "item-1", data: { proposals: [{ actionType: "file-note", key: "wr-1", note: "x", confidence: 0.1 }] } },
    });
    expect(res.statusCode).toBe(202);
    const runs = (res.json() as { runs: { agent: string; status: string }[] }).runs;
    expect(runs.map((r) => r.agent).sort()).toEqual(["test-escalator", "test-second"]);
    expect(runs.every((r) => r.status === "waiting")).toBe(true);
    const none = await app.inject({ method: "POST", url: "/v1/work-items", headers: keys.service, payload: { type: "claim", id: "c-1" } });
    expect(none.json()).toEqual({ runs: [] });
    expect((await app.inject({ method: "POST", url: "/v1/work-items", headers: keys.staff, payload: { type: "claim", id: "c" } })).statusCode).toBe(403);
    await app.close();
    await t.drop();
  });
});
