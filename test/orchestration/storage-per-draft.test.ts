/**
 * What a draft waiting for a person costs in the database (issue 16, point 7): each of its parts is
 * stored once. The review item keeps the rationale and evidence in their columns only (its Agent
 * Inbox description is built on read, review-items.test.ts); the run's checkpoint keeps the
 * proposal in the run's state only, not again in the pending review task's argument; and the
 * `review.created` entry does not repeat the gate verdict's confidence and reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAudit, verifyAuditChain } from "../../src/governance/audit-log.js";
import { DATABASE_KINDS } from "../helpers/databases.js";
import { SubmissionLog, startTestAgentApp } from "./test-agent.js";

describe.each(DATABASE_KINDS)("a draft stored once on %s", (kind) => {
  const log = new SubmissionLog();
  let h: Awaited<ReturnType<typeof startTestAgentApp>>;
  beforeAll(async () => {
    h = await startTestAgentApp(kind, log);
  });
  afterAll(() => h.close());

  /** How often `text` occurs in the run's checkpoint tables (blobs, pending writes, checkpoints), as stored. */
  const inCheckpoints = async (runId: string, text: string): Promise<number> => {
    const { rows } = await h.t.db.pool.query<{ body: string }>(
      `SELECT convert_from(blob, 'UTF8') AS body FROM checkpoint_blobs WHERE thread_id = $1 AND blob IS NOT NULL
       UNION ALL SELECT convert_from(blob, 'UTF8') FROM checkpoint_writes WHERE thread_id = $1
       UNION ALL SELECT checkpoint::text FROM checkpoints WHERE thread_id = $1`, [runId]);
    return rows.reduce((n, r) => n + r.body.split(text).length - 1, 0);
  };

  it("a run waiting on drafts keeps each proposal once in its checkpoint: the review tasks carry only what applying a decision needs", async () => {
    const keys = ["ck-a", "ck-b", "ck-c"].map((k) => `${k}-${kind}`);
    const run = await h.runtime.start("test-escalator", { type: "test", id: keys[0]! }, {
      proposals: keys.map((key) => ({ actionType: "file-note", key, note: `note for ${key}`, confidence: 0.2 })),
    });
    expect(run.status).toBe("waiting");
    // The patient's MRN is in the proposal's `about` only: once per draft in the run's state, not again per review task.
    for (const key of keys) expect(await inCheckpoints(run.id, `MRN-${key}`)).toBe(1);
    // What a review task needs is still there: accepting one executes its payload.
    const review = (await h.runtime.getRun(run.id)).reviews.find((r) => r.subject.id === keys[1]);
    const decided = await h.runtime.decide(review!.id, { type: "accept" }, "staff:test");
    expect(decided.review.status).toBe("accepted");
    expect(log.submitted.filter((s) => s.idempotencyKey === keys[1])).toEqual([{ idempotencyKey: keys[1], note: `note for ${keys[1]}` }]);
  });

  it("review.created names the item, action and due date; the confidence and why are in the gate verdict of the same draft", async () => {
    const key = `rc-${kind}`;
    const run = await h.runtime.start("test-escalator", { type: "test", id: key }, {
      proposals: [{ actionType: "file-note", key, note: "a note", confidence: 0.3 }],
    });
    const [created] = await queryAudit(h.t.db.pool, { runId: run.id, kind: "review.created" });
    const [verdict] = await queryAudit(h.t.db.pool, { runId: run.id, kind: "gate.verdict" });
    expect(Object.keys(created!.payload as object).sort()).toEqual(["actionType", "dueBy", "reviewId"]);
    expect(verdict).toMatchObject({ subjectId: key, payload: { actionType: "file-note", confidence: 0.3, verdict: "review", reason: expect.any(String) } });
    expect(created!.subjectId).toBe(key);
    expect((await verifyAuditChain(h.t.db.pool)).ok).toBe(true);
  });
});
