import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPayerConfig } from "../../tools/payer/sandbox/payer-config.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { payerRulesInForce } from "../../src/reference-data/payer-rules.js";
import { SANDBOX_SEED, seedSandboxPayerRules } from "../../src/reference-data/sandbox-payer-rules.js";
import type { App } from "../../src/server/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";

describe.each(DATABASE_KINDS)("payer rule overlays on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;
  const at = new Date("2026-12-01T08:00:00Z");
  const api = (method: "GET" | "POST" | "PUT" | "DELETE", url: string, headers: Record<string, string>, payload?: unknown) =>
    app.inject({ method, url: `/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const ruleAudit = async (id: string) => (await queryAudit(t.db.pool, { subjectType: "payer-rule", subjectId: id })).map((e) => [e.kind, e.actor.split(" ")[0], (e.payload as { version: number }).version]);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app } = await buildTestApp(t.db));
    keys = await keysForRoles(t.db);
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it("seeds the sandbox payers' defaults once, each audited: Medicare requires JW/JZ, a commercial payer the NDC, another waives JW/JZ", async () => {
    const config = loadPayerConfig();
    const seeded = await seedSandboxPayerRules(t.db.pool, config, at);
    expect(seeded).toBeGreaterThanOrEqual(8);
    expect(await seedSandboxPayerRules(t.db.pool, config, at)).toBe(0);
    expect((await t.db.pool.query("SELECT name FROM payer_rule_seeds")).rows).toEqual([{ name: SANDBOX_SEED }]);
    expect((await payerRulesInForce(t.db.pool, "SBMCR", "2026-11-03")).map((r) => r.kind)).toEqual(["requires-jw-jz"]);
    expect((await payerRulesInForce(t.db.pool, "SBCOM2", "2026-11-03")).map((r) => r.kind).sort()).toEqual(["auth-required", "requires-ndc", "waives-jw-jz"]);
    const com1 = await payerRulesInForce(t.db.pool, "SBCOM1", "2026-11-03");
    expect(com1.find((r) => r.kind === "auth-required")).toMatchObject({ id: "sbcom1-auth-required", codes: expect.arrayContaining(["J9271", "J9299"]) });
    expect(com1.find((r) => r.kind === "site-of-service")).toMatchObject({ codes: ["J9271", "J9299"], allowedSites: ["physician-office"] });
    expect(com1.some((r) => r.kind === "requires-ndc")).toBe(true);
    // Before the seeded rules' first day, none applies.
    expect(await payerRulesInForce(t.db.pool, "SBMCR", "2025-12-31")).toEqual([]);
    expect(await ruleAudit("sbmcr-requires-jw-jz")).toEqual([["payer_rule.created", "service:first-start", 1]]);
    expect((await queryAudit(t.db.pool, { subjectType: "payer-rule" })).length).toBe(seeded);
  });

  it("lists rules in force by payer and date of service, for any role", async () => {
    const res = await api("GET", "/payer-rules?payer=SBMCD&on=2026-11-03", keys.staff);
    expect(res.statusCode).toBe(200);
    expect((res.json() as { rules: { kind: string; version: number; recordedBy: string }[] }).rules.map((r) => r.kind).sort()).toEqual(["auth-required", "requires-jw-jz", "requires-ndc"]);
    expect((await api("GET", "/payer-rules?on=2026-13-01", keys.staff)).statusCode).toBe(400);
  });

  it("lets an admin add, change with a reason, and end a rule — every version kept and audited; others are refused", async () => {
    const body = { payerId: "SBMA1", kind: "bundles-pair", column1: "96413", column2: "96375", modifierAllowed: true, effectiveFrom: "2026-07-01", note: "MA policy 2026-14", reason: "Payer bulletin 2026-14" };
    for (const role of ["staff", "council", "service"] as const) expect((await api("POST", "/payer-rules", keys[role], body)).statusCode).toBe(403);
    const created = await api("POST", "/payer-rules", keys.admin, body);
    expect(created.statusCode).toBe(201);
    const rule = created.json() as { id: string; version: number; rule: unknown; effectiveTo: string | null; recordedBy: string };
    expect(rule).toMatchObject({ version: 1, effectiveTo: null, recordedBy: expect.stringMatching(/^key:/), rule: { id: rule.id, kind: "bundles-pair", column1: "96413", column2: "96375", modifierAllowed: true, note: "MA policy 2026-14" } });
    expect((await api("POST", "/payer-rules", keys.admin, body)).statusCode).toBe(409);

    // A change needs a reason; a stale version is refused; the kind stays.
    const change = { kind: "bundles-pair", column1: "96413", column2: "96375", modifierAllowed: false, effectiveFrom: "2026-07-01", note: "MA policy 2026-14 rev. 2" };
    expect((await api("PUT", `/payer-rules/${rule.id}`, keys.admin, change)).statusCode).toBe(400);
    expect((await api("PUT", `/payer-rules/${rule.id}`, keys.staff, { ...change, reason: "Revised" })).statusCode).toBe(403);
    expect((await api("PUT", `/payer-rules/${rule.id}`, keys.admin, { ...change, reason: "Revised", expectedVersion: 7 })).statusCode).toBe(409);
    expect((await api("PUT", `/payer-rules/${rule.id}`, keys.admin, { kind: "requires-ndc", effectiveFrom: "2026-07-01", reason: "Wrong kind" })).statusCode).toBe(400);
    const changed = await api("PUT", `/payer-rules/${rule.id}`, keys.admin, { ...change, reason: "Revised bulletin: no modifier bypass", expectedVersion: 1 });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ version: 2, reason: "Revised bulletin: no modifier bypass", rule: { modifierAllowed: false } });

    // Ended as of a date: applies through it, not after; nothing erased.
    expect((await api("DELETE", `/payer-rules/${rule.id}`, keys.admin, { effectiveTo: "2026-11-30" })).statusCode).toBe(400);
    expect((await api("DELETE", `/payer-rules/${rule.id}`, keys.admin, { effectiveTo: "2026-06-30", reason: "Before it began" })).statusCode).toBe(400);
    const ended = await api("DELETE", `/payer-rules/${rule.id}`, keys.admin, { effectiveTo: "2026-11-30", reason: "Policy retired 2026-12-01" });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ version: 3, effectiveTo: "2026-11-30" });
    expect((await payerRulesInForce(t.db.pool, "SBMA1", "2026-11-30")).some((r) => r.id === rule.id)).toBe(true);
    expect((await payerRulesInForce(t.db.pool, "SBMA1", "2026-12-01")).some((r) => r.id === rule.id)).toBe(false);
    expect((await payerRulesInForce(t.db.pool, "SBMA1", "2026-06-30")).some((r) => r.id === rule.id)).toBe(false);

    const history = await api("GET", `/payer-rules/${rule.id}`, keys.staff);
    expect((history.json() as { versions: { version: number; supersededAt: string | null; reason: string }[] }).versions.map((v) => [v.version, v.supersededAt === null, v.reason])).toEqual([
      [3, true, "Policy retired 2026-12-01"], [2, false, "Revised bulletin: no modifier bypass"], [1, false, "Payer bulletin 2026-14"],
    ]);
    expect(await ruleAudit(rule.id)).toEqual([["payer_rule.created", "key:", 1], ["payer_rule.changed", "key:", 2], ["payer_rule.ended", "key:", 3]].map(([k, a, v]) => [k, expect.stringMatching(new RegExp(`^${String(a)}`)), v]));
    const changedEntry = (await queryAudit(t.db.pool, { subjectType: "payer-rule", subjectId: rule.id }))[1];
    expect(changedEntry?.payload).toMatchObject({ reason: "Revised bulletin: no modifier bypass", params: { modifierAllowed: false }, previous: { version: 1, params: { modifierAllowed: true } } });
    expect((await api("GET", "/payer-rules/pr_nope", keys.staff)).statusCode).toBe(404);
  });

  it("refuses a rule that contradicts one in force, but not one for other dates", async () => {
    const waive = { payerId: "SBMCR", kind: "waives-jw-jz", effectiveFrom: "2026-10-01", reason: "Test" };
    const refused = await api("POST", "/payer-rules", keys.admin, waive);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/requires-jw-jz rule sbmcr-requires-jw-jz/);
    // End Medicare's JW/JZ requirement on 2026-12-31, and a waiver from 2027 is accepted.
    expect((await api("DELETE", "/payer-rules/sbmcr-requires-jw-jz", keys.admin, { effectiveTo: "2026-12-31", reason: "Test: policy ends" })).statusCode).toBe(200);
    const later = await api("POST", "/payer-rules", keys.admin, { ...waive, effectiveFrom: "2027-01-01" });
    expect(later.statusCode).toBe(201);
    expect((await payerRulesInForce(t.db.pool, "SBMCR", "2026-12-31")).map((r) => r.kind)).toEqual(["requires-jw-jz"]);
    expect((await payerRulesInForce(t.db.pool, "SBMCR", "2027-01-02")).map((r) => r.kind)).toEqual(["waives-jw-jz"]);
  });

  it("keeps history in the database itself: a version cannot be deleted or rewritten", async () => {
    await expect(t.db.pool.query("DELETE FROM payer_rules WHERE id = 'sbmcr-requires-jw-jz'")).rejects.toThrow(/never deleted/);
    await expect(t.db.pool.query("UPDATE payer_rules SET reason = 'rewritten' WHERE id = 'sbmcr-requires-jw-jz' AND version = 1")).rejects.toThrow(/only superseded, once/);
  });

  it("documents the routes in /openapi.json", async () => {
    const res = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const paths = (res.json() as { paths: Record<string, Record<string, unknown>> }).paths;
    expect(Object.keys(paths["/v1/payer-rules"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(paths["/v1/payer-rules/{id}"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
  });
});
