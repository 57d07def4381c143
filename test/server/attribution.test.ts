/**
 * Who did it: decisions, promotions and key changes name the key's id, role and name; creating
 * and revoking keys is audited; the last active admin key cannot be revoked over the API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/server/app.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import { createApiKey, revokeApiKey } from "../../src/server/auth/api-keys.js";
import type { AgentRuntime } from "../../src/orchestration/runtime.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";
import { SubmissionLog, testAgent } from "../orchestration/test-agent.js";

interface Entry { kind: string; actor: string; subjectId: string | null; payload: Record<string, unknown> }

describe.each(DATABASE_KINDS)("attribution and key changes on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let runtime: AgentRuntime;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;
  let ids: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app, runtime } = await buildTestApp(t.db, {}, { registry: new AgentRegistry().register(testAgent(), { log: new SubmissionLog() }) }));
    keys = await keysForRoles(t.db);
    const me = async (role: keyof typeof keys) => ((await app.inject({ method: "GET", url: "/v1/me", headers: keys[role] })).json() as { keyId: string }).keyId;
    ids = { staff: await me("staff"), admin: await me("admin") };
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const audit = async (query: string): Promise<Entry[]> =>
    ((await app.inject({ method: "GET", url: `/v1/audit?${query}`, headers: keys.council })).json() as { entries: Entry[] }).entries;

  it("a decision records the deciding key's id, role and name on the item and in the audit trail", async () => {
    const started = await runtime.start("test-escalator", { type: "test", id: "attr-1" }, {
      proposals: [{ actionType: "file-note", key: "attr-1", note: "x", confidence: 0.2 }],
    });
    const review = (await app.inject({ method: "GET", url: `/v1/runs/${started.id}`, headers: keys.staff })).json() as { reviews: { id: string }[] };
    const res = await app.inject({ method: "POST", url: `/v1/reviews/${review.reviews[0]!.id}/decision`, headers: keys.staff, payload: { type: "accept" } });
    expect(res.statusCode).toBe(200);
    const actor = `key:${ids.staff} (staff "test staff")`;
    expect(res.json()).toMatchObject({ review: { decidedBy: actor } });
    expect((await audit(`runId=${started.id}&kind=review.decided`)).map((e) => e.actor)).toEqual([actor]);
  });

  it("a promotion or a refused one records the admin key's id, role and name", async () => {
    const res = await app.inject({
      method: "POST", url: "/v1/agents/test-escalator/autonomy", headers: keys.admin,
      payload: { phase: "partial", justification: "enough reviews to try partial" },
    });
    expect(res.statusCode).toBe(409);
    const entries = await audit("agent=test-escalator&kind=autonomy.refused");
    expect(entries.map((e) => e.actor)).toEqual([`key:${ids.admin} (admin "test admin")`]);
  });

  it("creating and revoking a key is audited with who did it and the key's name and role, never its secret", async () => {
    const created = await app.inject({ method: "POST", url: "/v1/keys", headers: keys.admin, payload: { name: "Scheduler", role: "service" } });
    const { key, info } = created.json() as { key: string; info: { id: string; prefix: string } };
    const revoked = await app.inject({ method: "DELETE", url: `/v1/keys/${info.id}`, headers: keys.admin });
    expect(revoked.statusCode).toBe(200);
    const entries = await audit(`subjectType=api_key&subjectId=${info.id}`);
    const by = `key:${ids.admin} (admin "test admin")`;
    expect(entries.map((e) => ({ kind: e.kind, actor: e.actor, payload: e.payload }))).toEqual([
      { kind: "key.created", actor: by, payload: { name: "Scheduler", role: "service", prefix: info.prefix } },
      { kind: "key.revoked", actor: by, payload: { name: "Scheduler", role: "service", prefix: info.prefix } },
    ]);
    expect(JSON.stringify(entries)).not.toContain(key.slice(10));
    // Revoking again changes nothing and is not audited again.
    expect((await app.inject({ method: "DELETE", url: `/v1/keys/${info.id}`, headers: keys.admin })).statusCode).toBe(200);
    expect(await audit(`subjectType=api_key&subjectId=${info.id}`)).toHaveLength(2);
  });

  it("refuses to revoke the last active admin key (409), and allows it once another admin key exists", async () => {
    const refused = await app.inject({ method: "DELETE", url: `/v1/keys/${ids.admin}`, headers: keys.admin });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "CONFLICT", detail: expect.stringContaining("last active admin key") });
    expect((await audit(`subjectType=api_key&subjectId=${ids.admin}&kind=key.revoked`))).toEqual([]);
    const second = await app.inject({ method: "POST", url: "/v1/keys", headers: keys.admin, payload: { name: "Second admin", role: "admin" } });
    const other = (second.json() as { key: string }).key;
    const allowed = await app.inject({ method: "DELETE", url: `/v1/keys/${ids.admin}`, headers: keys.admin });
    expect(allowed.statusCode).toBe(200);
    const otherId = (second.json() as { info: { id: string } }).info.id;
    const last = await app.inject({ method: "DELETE", url: `/v1/keys/${otherId}`, headers: { authorization: `Bearer ${other}` } });
    expect(last.statusCode).toBe(409);
  });

  it("a prefix that matches several keys revokes none of them (409)", async () => {
    const one = await createApiKey(t.db.pool, { name: "one", role: "staff" });
    const two = await createApiKey(t.db.pool, { name: "two", role: "staff" });
    await t.db.pool.query("UPDATE api_keys SET key_prefix = $1 WHERE id = $2", [one.info.prefix, two.info.id]);
    await expect(revokeApiKey(t.db.pool, one.info.prefix)).rejects.toThrow(/matches 2 keys/);
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM api_keys WHERE key_prefix = $1 AND revoked_at IS NULL", [one.info.prefix]);
    expect(rows[0]!.n).toBe(2);
  });

  it("two admins revoking each other's keys at once leave one active admin key", async () => {
    const { rows } = await t.db.pool.query<{ id: string }>("SELECT id FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL");
    for (const { id } of rows) await revokeApiKey(t.db.pool, id, { force: true });
    const x = await createApiKey(t.db.pool, { name: "X", role: "admin" });
    const y = await createApiKey(t.db.pool, { name: "Y", role: "admin" });
    const results = await Promise.allSettled([
      revokeApiKey(t.db.pool, x.info.id, { actor: "key:y" }),
      revokeApiKey(t.db.pool, y.info.id, { actor: "key:x" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(String((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason)).toMatch(/last active admin key/);
    const { rows: left } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL");
    expect(left[0]!.n).toBe(1);
  });
});
