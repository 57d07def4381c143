/** A run's steps in the audit trail: each recorded once, and readable by the roles that read the trail. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAudit } from "../../src/governance/audit-log.js";
import type { AgentRuntime } from "../../src/orchestration/runtime.js";
import type { App } from "../../src/server/app.js";
import type { keysForRoles } from "../helpers/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";
import { SubmissionLog, startTestAgentApp } from "./test-agent.js";

describe.each(DATABASE_KINDS)("run steps on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let runtime: AgentRuntime;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;

  let close: () => Promise<void>;
  beforeAll(async () => ({ t, app, runtime, keys, close } = await startTestAgentApp(kind, new SubmissionLog())));
  afterAll(() => close());

  it("each decision on a batch run records only the steps it ran, not those of earlier decisions again", async () => {
    const proposals = [1, 2, 3, 4].map((i) => ({ actionType: "file-note" as const, key: `steps-${kind}-${i}`, note: `n${i}`, confidence: 0.2 }));
    const started = await runtime.start("test-escalator", { type: "test", id: "steps" }, { proposals });
    const steps = async () => (await queryAudit(t.db.pool, { runId: started.id, kind: "node.step", limit: 10_000 })).map((e) => e.node);
    const counts = [(await steps()).length];
    const reviews = (await runtime.getRun(started.id)).reviews;
    expect(reviews).toHaveLength(4);
    for (const review of reviews) {
      await runtime.decide(review.id, { type: "accept" }, "user:test");
      counts.push((await steps()).length);
    }
    const added = counts.slice(1).map((c, i) => c - (counts[i] as number));
    // The same work for each decision (one task resumed), not 2k−1 entries for the k-th.
    expect(new Set(added.slice(0, -1)).size).toBe(1);
    expect((await steps()).filter((node) => node?.startsWith("__"))).toEqual([]);
  });

  it("steps are audit data: council and admin read them, staff and service see the run without them", async () => {
    const started = await runtime.start("test-escalator", { type: "test", id: "roles" }, {
      proposals: [{ actionType: "file-note", key: `roles-${kind}`, note: "x", confidence: 0.2 }],
    });
    for (const role of ["council", "admin"] as const) {
      const res = await app.inject({ method: "GET", url: `/v1/runs/${started.id}`, headers: keys[role] });
      expect(res.statusCode).toBe(200);
      expect((res.json() as { steps: unknown[] }).steps.length).toBeGreaterThan(0);
    }
    for (const role of ["staff", "service"] as const) {
      const res = await app.inject({ method: "GET", url: `/v1/runs/${started.id}`, headers: keys[role] });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { run: { id: string }; steps?: unknown; reviews: unknown[] };
      expect(body.run.id).toBe(started.id);
      expect(body.reviews).toHaveLength(1);
      expect(body.steps).toBeUndefined();
    }
  });
});
