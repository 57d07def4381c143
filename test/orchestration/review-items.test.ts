/**
 * Review items a person can work (issue 15): one item per draft however often a subject is
 * checked again (the new check supersedes, its superseded run never executes the stale draft),
 * items that name who and what they are about and store the draft once, a queue paged with its
 * total, and a run read a page of steps and one subject at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditInTransaction, queryAudit, verifyAuditChain } from "../../src/governance/audit-log.js";
import type { ReviewItem } from "../../src/governance/reviews.js";
import { PAYLOAD_FORMAT, decodeAuditPayload } from "../../src/governance/audit-payload.js";
import type { ProposedAction } from "../../src/orchestration/decision.js";
import { humanInterruptFor } from "../../src/orchestration/human-review.js";
import { DATABASE_KINDS } from "../helpers/databases.js";
import { SubmissionLog, startTestAgentApp } from "./test-agent.js";

type Proposal = { actionType: "file-note" | "appeal-medical-necessity"; key: string; note: string; confidence: number };
interface ListItem { id: string; runId: string; status: string; subject: { id: string }; supersededBy: string | null; supersededByRun: string | null }

describe.each(DATABASE_KINDS)("review items on %s", (kind) => {
  const log = new SubmissionLog();
  let h: Awaited<ReturnType<typeof startTestAgentApp>>;
  let n = 0;
  const key = (label: string) => `${label}-${kind}-${(n += 1)}`;
  beforeAll(async () => {
    h = await startTestAgentApp(kind, log);
  });
  afterAll(() => h.close());

  const send = async (id: string, proposals: Proposal[]) => {
    const res = await h.app.inject({ method: "POST", url: "/v1/work-items", headers: h.keys.service, payload: { type: "test", id, data: { proposals } } });
    expect(res.statusCode).toBe(202);
    return (res.json() as { runs: { runId: string; status: string }[] }).runs[0]!;
  };
  const list = async (query: string) => {
    const res = await h.app.inject({ method: "GET", url: `/v1/reviews?${query}`, headers: h.keys.staff });
    expect(res.statusCode).toBe(200);
    return res.json() as { reviews: ListItem[]; total: number; nextOffset: number | null };
  };
  const itemsAbout = async (subjectId: string) => (await h.t.db.pool.query<{ id: string; status: string; run_id: string; superseded_by: string | null }>(
    "SELECT id, status, run_id, superseded_by FROM review_items WHERE subject_id = $1 ORDER BY created_at, id", [subjectId])).rows;

  it("sending the same work item again supersedes the undecided items: one pending item per draft, linked to its successor", async () => {
    const [a, b] = [key("note"), key("appeal")];
    const drafts = (note: string): Proposal[] => [
      { actionType: "file-note", key: a, note, confidence: 0.2 },
      { actionType: "appeal-medical-necessity", key: b, note, confidence: 0.99 },
    ];
    const first = await send(`item-${a}`, drafts("first draft"));
    expect((await list(`status=pending&subjectId=${a}`)).total).toBe(1);
    const second = await send(`item-${a}`, drafts("second draft"));
    const third = await send(`item-${a}`, drafts("third draft"));
    expect(first.status).toBe("waiting");
    expect(third.status).toBe("waiting");
    // 2 drafts, sent three times: 2 pending items, not 6.
    for (const subject of [a, b]) {
      const items = await itemsAbout(subject);
      expect(items.map((i) => i.status)).toEqual(["superseded", "superseded", "pending"]);
      expect(items.map((i) => i.run_id)).toEqual([first.runId, second.runId, third.runId]);
      expect(items[0]!.superseded_by).toBe(items[1]!.id);
      expect(items[1]!.superseded_by).toBe(items[2]!.id);
    }
    const pending = await list(`status=pending&agent=test-escalator&subjectId=${a}`);
    expect(pending.reviews.map((r) => r.runId)).toEqual([third.runId]);
    const superseded = (await list(`status=superseded&subjectId=${a}`)).reviews;
    expect(superseded.map((r) => r.supersededByRun)).toEqual([second.runId, third.runId]);
    // The superseded runs wait on nothing a person can decide: they are complete, having executed nothing.
    for (const old of [first, second]) {
      const view = await h.runtime.getRun(old.runId);
      expect(view.run.status).toBe("completed");
      expect(view.run.result).toMatchObject({ superseded: 2 });
    }
    expect((await queryAudit(h.t.db.pool, { runId: first.runId, kind: "review.superseded" })).map((e) => e.subjectId).sort()).toEqual([a, b].sort());
    const trail = (await queryAudit(h.t.db.pool, { runId: first.runId })).map((e) => e.kind);
    expect(trail.at(-1)).toBe("run.completed");
    expect(trail.filter((k) => k.startsWith("action."))).toEqual([]);
    expect((await verifyAuditChain(h.t.db.pool)).ok).toBe(true);
  });

  it("a superseded item cannot be decided, and its run never executes the stale draft", async () => {
    const k = key("stale");
    const old = await send(`item-${k}`, [{ actionType: "file-note", key: k, note: "stale text", confidence: 0.2 }]);
    const [oldItem] = await itemsAbout(k);
    const fresh = await send(`item-${k}`, [{ actionType: "file-note", key: k, note: "fresh text", confidence: 0.2 }]);
    const refused = await h.app.inject({ method: "POST", url: `/v1/reviews/${oldItem!.id}/decision`, headers: h.keys.staff, payload: { type: "accept" } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ detail: expect.stringMatching(/superseded by a newer check/) });
    // Nothing waits to be applied after a restart either.
    expect(await h.runtime.recover()).toBe(0);
    const freshItem = (await itemsAbout(k)).find((i) => i.run_id === fresh.runId)!;
    const accepted = await h.app.inject({ method: "POST", url: `/v1/reviews/${freshItem.id}/decision`, headers: h.keys.staff, payload: { type: "accept" } });
    expect(accepted.json()).toMatchObject({ review: { status: "accepted" }, run: { id: fresh.runId, status: "completed" } });
    expect(log.submitted.filter((s) => s.idempotencyKey === k)).toEqual([{ idempotencyKey: k, note: "fresh text" }]);
    expect((await h.runtime.getRun(old.runId)).run.status).toBe("completed");
    expect(await queryAudit(h.t.db.pool, { runId: old.runId, kind: "action.executed" })).toEqual([]);
  });

  it("a decided draft of a superseded run is still applied; only its undecided ones are closed", async () => {
    const [x, y] = [key("decided"), key("undecided")];
    const old = await send(`item-${x}`, [
      { actionType: "file-note", key: x, note: "decided", confidence: 0.2 },
      { actionType: "file-note", key: y, note: "undecided", confidence: 0.2 },
    ]);
    const [decided] = await itemsAbout(x);
    expect((await h.app.inject({ method: "POST", url: `/v1/reviews/${decided!.id}/decision`, headers: h.keys.staff, payload: { type: "accept" } })).json())
      .toMatchObject({ run: { status: "waiting" } });
    // A new check of y alone: the old run's last undecided draft is superseded, so the old run completes.
    await send(`item-${y}`, [{ actionType: "file-note", key: y, note: "undecided, again", confidence: 0.2 }]);
    expect((await itemsAbout(x)).map((i) => i.status)).toEqual(["accepted"]);
    expect((await itemsAbout(y)).map((i) => i.status)).toEqual(["superseded", "pending"]);
    expect((await h.runtime.getRun(old.runId)).run.status).toBe("completed");
    expect(log.submitted.filter((s) => s.idempotencyKey === x || s.idempotencyKey === y).map((s) => s.note)).toEqual(["decided"]);
  });

  it("checks of one subject at the same time leave exactly one pending item per draft", async () => {
    const k = key("race");
    const runs = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      h.runtime.start("test-escalator", { type: "test", id: k }, { proposals: [{ actionType: "file-note", key: k, note: `draft ${i}`, confidence: 0.2 }] })));
    const items = await itemsAbout(k);
    expect(items).toHaveLength(6);
    const pending = items.filter((i) => i.status === "pending");
    expect(pending).toHaveLength(1);
    // The newest run (by start) is the one a person works; every other run is closed.
    const newest = (await h.t.db.pool.query<{ id: string }>("SELECT id FROM runs WHERE id = ANY($1) ORDER BY created_at DESC, id DESC LIMIT 1",
      [runs.map((r) => r.id)])).rows[0]!.id;
    expect(pending[0]!.run_id).toBe(newest);
    const statuses = await Promise.all(runs.map(async (r) => (await h.runtime.getRun(r.id)).run.status));
    expect(statuses.filter((s) => s === "waiting")).toHaveLength(1);
  });

  // Two connections at once: only a server has them (PGlite serialises everything on one).
  if (kind === "postgres") it("a decision holding its item while it waits for the audit chain does not deadlock a new check of the item's subject", async () => {
    const k = key("deadlock");
    await send(`item-${k}`, [{ actionType: "file-note", key: k, note: "first", confidence: 0.2 }]);
    const [item] = await itemsAbout(k);
    // A decision's transaction (as recordDecision): the item locked first, the audit chain's lock after.
    const decision = await h.t.db.pool.connect();
    try {
      await decision.query("BEGIN");
      await decision.query("SELECT id FROM review_items WHERE id = $1 FOR UPDATE", [item!.id]);
      const check = h.runtime.start("test-escalator", { type: "test", id: k }, { proposals: [{ actionType: "file-note", key: k, note: "second", confidence: 0.2 }] });
      // Until the new check waits on a lock (the item), then the decision asks for the chain's lock.
      const waiting = async () => (await h.t.db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n;
      while ((await waiting()) === 0) await new Promise((r) => setTimeout(r, 20));
      await appendAuditInTransaction(decision, [{ kind: "review.decided", actor: "key:test", runId: item!.run_id, subjectType: "test", subjectId: k, payload: {} }]);
      await decision.query("UPDATE review_items SET status = 'accepted', decided_at = now(), decided_by = 'key:test', decision = '{\"type\":\"accept\"}' WHERE id = $1", [item!.id]);
      await decision.query("COMMIT");
      expect((await check).status).toBe("waiting");
    } finally {
      decision.release();
    }
    // The decision stands; the new check's item is the one pending.
    expect((await itemsAbout(k)).map((i) => i.status)).toEqual(["accepted", "pending"]);
  });

  it("an item names the patient, appointment, payer and due date, stores its draft once, and the queue is paged with its total", async () => {
    const keysOf = [key("page"), key("page"), key("page"), key("page"), key("page")];
    await send(`item-${keysOf[0]}`, keysOf.map((k) => ({ actionType: "file-note" as const, key: k, note: `a rather long draft for ${k}`, confidence: 0.2 })));
    const res = await h.app.inject({ method: "GET", url: `/v1/reviews?status=pending&subjectId=${keysOf[2]}`, headers: h.keys.staff });
    const item = (res.json() as { reviews: Record<string, unknown>[] }).reviews[0]!;
    expect(item).toMatchObject({
      patient: { id: `patient-${keysOf[2]}`, name: "Doe, Jane", birthDate: "1961-02-03", mrn: `MRN-${keysOf[2]}` },
      appointment: { id: keysOf[2], dateOfService: "2026-12-02" }, payer: { id: "payer-1", name: "Sample Health" },
      dueBy: "2026-12-01T00:00:00.000Z", summary: `File a rather long draft for ${keysOf[2]}`, status: "pending",
    });
    // The list is compact: the draft, the why and the Agent Inbox payload are on the item itself.
    for (const heavy of ["draft", "evidence", "rationale", "interrupt"]) expect(item).not.toHaveProperty(heavy);
    const detail = await h.app.inject({ method: "GET", url: `/v1/reviews/${item.id as string}`, headers: h.keys.staff });
    expect(detail.json()).toMatchObject({
      patient: { mrn: `MRN-${keysOf[2]}` }, draft: { note: `a rather long draft for ${keysOf[2]}` },
      interrupt: { action_request: { action: "file-note", args: { note: `a rather long draft for ${keysOf[2]}` } } },
    });
    // The draft, rationale and evidence are stored once: the interrupt column keeps only the Agent
    // Inbox config (issue 16: its description repeated the rationale and evidence), and the
    // description is built on read, as the run's interrupt had it.
    // The rationale, evidence and about are one compressed text (`detail`, migration 0022), their columns left null.
    const stored = (await h.t.db.pool.query<{ interrupt: Record<string, unknown>; detail: Buffer; rationale: string | null; evidence: unknown; about: unknown; payer_id: string | null; payer_name: string | null }>(
      "SELECT interrupt, detail, rationale, evidence, about, payer_id, payer_name FROM review_items WHERE subject_id = $1", [keysOf[2]])).rows[0]!;
    expect(Object.keys(stored.interrupt)).toEqual(["config"]);
    // The payer is kept in its own columns too (migration 0023): the inbox filters and counts by it from an index.
    expect([stored.payer_id, stored.payer_name]).toEqual(["payer-1", "Sample Health"]);
    expect([stored.rationale, stored.evidence, stored.about]).toEqual([null, null, null]);
    expect(stored.detail[0]).toBe(PAYLOAD_FORMAT.deflateV1);
    const kept = JSON.parse(decodeAuditPayload(stored.detail)) as { rationale: string; evidence: unknown; about: { patient: unknown } };
    const shown = detail.json() as ReviewItem;
    expect(kept).toEqual({ rationale: shown.rationale, evidence: shown.evidence, about: expect.objectContaining({ patient: shown.patient }) });
    expect(shown.interrupt.description).toBe(humanInterruptFor("test-escalator", {
      summary: shown.summary, rationale: shown.rationale, evidence: shown.evidence, verification: null,
    } as unknown as ProposedAction, { confidence: shown.confidence, reason: shown.reason, humanOnly: shown.humanOnly }).description);
    expect(shown.interrupt.description).toContain(kept.rationale);
    // An item written before 0022 (the three columns, no detail) reads the same.
    await h.t.db.pool.query("UPDATE review_items SET rationale = $2, evidence = $3, about = $4, detail = NULL WHERE id = $1",
      [item.id, kept.rationale, JSON.stringify(kept.evidence), JSON.stringify(kept.about)]);
    expect((await h.app.inject({ method: "GET", url: `/v1/reviews/${item.id as string}`, headers: h.keys.staff })).json()).toEqual(detail.json());

    const run = item.runId as string;
    const all = await h.t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM review_items WHERE status = 'pending'");
    const page1 = await list("status=pending&limit=2");
    expect(page1.total).toBe(all.rows[0]!.n);
    expect(page1.reviews).toHaveLength(2);
    expect(page1.nextOffset).toBe(2);
    const seen: string[] = [];
    for (let offset: number | null = 0; offset !== null;) {
      const page = await list(`status=pending&limit=2&offset=${offset}`);
      seen.push(...page.reviews.map((r) => r.id));
      offset = page.nextOffset;
    }
    expect(new Set(seen).size).toBe(page1.total);
    expect(seen).toHaveLength(page1.total);
    expect((await list(`status=pending&limit=2&offset=${page1.total}`))).toEqual({ reviews: [], total: page1.total, nextOffset: null });
    expect((await list(`status=pending&subjectId=${keysOf[4]}`)).reviews.map((r) => r.runId)).toEqual([run]);
    expect((await list(`runId=${run}&limit=2`))).toMatchObject({ total: 5, nextOffset: 2 });
  });

  it("GET /v1/runs/:id pages its steps, reads one subject, and reports a subject done while the run waits on others", async () => {
    const [s1, s2] = [key("batch"), key("batch")];
    const started = await send(`item-${s1}`, [
      { actionType: "file-note", key: s1, note: "one", confidence: 0.2 },
      { actionType: "file-note", key: s2, note: "two", confidence: 0.2 },
    ]);
    const get = (query = "") => h.app.inject({ method: "GET", url: `/v1/runs/${started.runId}${query}`, headers: h.keys.council });
    const full = (await get("?limit=2000")).json() as { steps: { seq: number }[]; stepsNext: number | null };
    expect(full.stepsNext).toBeNull();
    expect(full.steps.length).toBeGreaterThan(4);
    const paged: number[] = [];
    let after: number | null = null;
    do {
      const page = (await get(`?limit=3${after === null ? "" : `&after=${after}`}`)).json() as { steps: { seq: number }[]; stepsNext: number | null };
      expect(page.steps.length).toBeLessThanOrEqual(3);
      paged.push(...page.steps.map((s) => s.seq));
      after = page.stepsNext;
    } while (after !== null);
    expect(paged).toEqual(full.steps.map((s) => s.seq));

    const one = (await get(`?subject=${s1}`)).json() as { steps: { subjectId: string }[]; reviews: { subject: { id: string } }[]; subjects: unknown[] };
    expect(one.steps.length).toBeGreaterThan(0);
    expect(new Set(one.steps.map((s) => s.subjectId))).toEqual(new Set([s1]));
    expect(one.reviews.map((r) => r.subject.id)).toEqual([s1]);
    expect(one.subjects).toEqual([{ type: "test", id: s1, status: "waiting", pending: 1, decided: 0, superseded: 0 }]);
    expect((await get("?subject=no-such-subject")).statusCode).toBe(404);

    const item = (await itemsAbout(s1))[0]!;
    await h.app.inject({ method: "POST", url: `/v1/reviews/${item.id}/decision`, headers: h.keys.staff, payload: { type: "accept" } });
    const after1 = (await get()).json() as { run: { status: string }; subjects: { id: string; status: string }[] };
    expect(after1.run.status).toBe("waiting");
    expect(Object.fromEntries(after1.subjects.map((s) => [s.id, s.status]))).toMatchObject({ [s1]: "done", [s2]: "waiting" });
  });
});
