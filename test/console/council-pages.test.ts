/**
 * The council's and admin's console pages without a browser (app.inject): bad filters and dates
 * get the 400 page, the export streams every matching entry (more than one batch) as CSV that
 * reads back to the same values, the person filter is a literal prefix, the agent record counts
 * each outcome in its week, verification without htmx redirects to its own page.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSession } from "../../src/console/sessions.js";
import { agentDecisionStats } from "../../src/governance/agent-stats.js";
import { appendAudit, queryAudit } from "../../src/governance/audit-log.js";
import type { App } from "../../src/server/app.js";
import { buildTestApp } from "../helpers/app.js";
import { createTestUsers } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

describe.each(DATABASE_KINDS)("council and admin console pages (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  const cookies: Record<string, string> = {};

  /** A signed-in session's cookie header for a role's test user. */
  async function sessionOf(role: "council" | "admin" | "staff"): Promise<string> {
    const { rows } = await tdb.db.pool.query<{ id: string }>("SELECT id FROM users WHERE username = $1", [`${role}-user`]);
    const token = await openSession(tdb.db.pool, rows[0]!.id, { idleMinutes: 30, maxHours: 12 });
    return `irc_session=${token}`;
  }

  const get = (url: string, role: "council" | "admin" | "staff" = "council", headers: Record<string, string> = {}) =>
    app.inject({ method: "GET", url, headers: { cookie: cookies[role]!, ...headers } });

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    ({ app } = await buildTestApp(tdb.db));
    await createTestUsers(tdb.db, ["council", "admin", "staff"]);
    for (const role of ["council", "admin", "staff"] as const) cookies[role] = await sessionOf(role);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  it("answers bad filters and dates with the 400 page, never a 500", async () => {
    const bad = [
      "/audit?from=2026-13-01", "/audit?from=2026-02-30", "/audit?to=yesterday", "/audit?from=2026-03-05&to=2026-03-01",
      "/audit?kind=not.a.kind", "/audit?after=-1", "/audit?after=abc", `/audit?agent=${"a".repeat(129)}`, `/audit?actor=${"x".repeat(301)}`,
      "/audit/export?format=xml", "/audit/export?from=0000-01-01", "/agents?from=2026-01-01&to=2028-06-01", "/agents?to=2026-02-30",
      "/audit/verify/not-a-uuid",
    ];
    for (const url of bad) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers["content-type"], url).toMatch(/^text\/html/);
      expect(res.body, url).toContain("Error 400");
    }
    // Empty fields of the form are no filter.
    expect((await get("/audit?agent=&kind=&actor=&from=&to=&subjectType=&subjectId=&runId=")).statusCode).toBe(200);
    expect((await get("/audit/runs/no-such-run")).statusCode).toBe(404);
    const sweep = await app.inject({ method: "GET", url: "/admin/sweeps/no-such-sweep", headers: { cookie: cookies.admin! } });
    expect(sweep.statusCode).toBe(404);
  });

  it("keeps staff out of the council's pages and the council out of the admin's", async () => {
    for (const url of ["/audit", "/agents", "/audit/export"]) expect((await get(url, "staff")).statusCode, url).toBe(403);
    for (const url of ["/admin/agents", "/admin/data", "/admin/sweeps"]) expect((await get(url, "council")).statusCode, url).toBe(403);
    for (const url of ["/admin/agents", "/admin/data", "/admin/sweeps", "/audit", "/agents"]) expect((await get(url, "admin")).statusCode, url).toBe(200);
  });

  it("exports every matching entry, across batches, as CSV that reads back to the same values and as JSON Lines", async () => {
    const tricky = { note: 'a "quoted", comma\nnew line', formula: "=SUM(A1)", é: "ünïcode" };
    await appendAudit(tdb.db.pool, Array.from({ length: 2_345 }, (_, i) => ({
      kind: "data.imported" as const, actor: i % 2 === 0 ? "user:a_b (admin \"x\")" : "user:axb (admin \"y\")", subjectType: "export-test", subjectId: `s-${i}`,
      payload: i === 7 ? tricky : { i },
    })));
    await appendAudit(tdb.db.pool, [{ kind: "data.imported", actor: "=cmd|' /C calc'!A0", subjectType: "other", payload: {} }]);
    const csv = await get("/audit/export?format=csv&kind=data.imported&subjectType=export-test");
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.headers["content-disposition"]).toMatch(/attachment; filename="audit-.*\.csv"/);
    const records = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(2_345);
    expect(records.map((r) => r.subjectId)).toEqual(Array.from({ length: 2_345 }, (_, i) => `s-${i}`));
    expect(JSON.parse(records[7]!.payload!)).toEqual(tricky);
    const jsonl = await get("/audit/export?format=jsonl&kind=data.imported&subjectType=export-test");
    const lines = jsonl.body.trimEnd().split("\n").map((l) => JSON.parse(l) as { subjectId: string; payload: unknown });
    expect(lines).toHaveLength(2_345);
    expect(lines[7]!.payload).toEqual(tricky);
    // A cell a spreadsheet would run as a formula is kept as text.
    const formula = parse((await get("/audit/export?format=csv&subjectType=other")).body, { columns: true }) as Record<string, string>[];
    expect(formula[0]!.actor).toBe("'=cmd|' /C calc'!A0");
  });

  it("filters by person as a literal prefix (LIKE wildcards in it match only themselves) and pages by keyset", async () => {
    const exact = await queryAudit(tdb.db.pool, { actor: "user:a_b", subjectType: "export-test", limit: 10_000 });
    expect(exact).toHaveLength(1_173);
    // A prefix an agent's actor could start with still finds agents (the people-only index predicate is not added for it).
    await appendAudit(tdb.db.pool, [{ kind: "tool.call", actor: "agent:eligibility", subjectType: "person-filter", subjectId: "a", payload: {} }]);
    expect((await queryAudit(tdb.db.pool, { actor: "ag", subjectType: "person-filter" })).map((e) => e.actor)).toEqual(["agent:eligibility"]);
    expect(await queryAudit(tdb.db.pool, { actor: "user:", subjectType: "person-filter" })).toEqual([]);
    expect(exact.every((e) => e.actor.startsWith("user:a_b "))).toBe(true);
    const page1 = await get(`/audit?actor=${encodeURIComponent("user:a_b")}&subjectType=export-test`);
    expect(page1.statusCode).toBe(200);
    const seqs = (html: string) => [...html.matchAll(/<td class="num">(\d+)<\/td>\s*<td><time/g)].map((m) => Number(m[1]));
    const first = seqs(page1.body);
    expect(first).toEqual(exact.slice(0, 50).map((e) => e.seq));
    const next = /href="([^"]+)" rel="next"/.exec(page1.body)?.[1]?.replaceAll("&amp;", "&");
    expect(next).toBe(`/audit?subjectType=export-test&actor=user%3Aa_b&after=${first.at(-1)}`);
    expect(seqs((await get(next!)).body)).toEqual(exact.slice(50, 100).map((e) => e.seq));
    // Unfiltered, "Newest entries" is the chain's last page.
    const newest = /href="([^"]+)">Newest entries/.exec((await get("/audit")).body)?.[1];
    const last = seqs((await get(newest!)).body);
    const head = (await queryAudit(tdb.db.pool, { afterSeq: last[0]! - 1, limit: 10_000 })).at(-1)!.seq;
    expect(last).toHaveLength(50);
    expect(last.at(-1)).toBe(head);
  });

  it("a date range finds exactly the entries of its days, also one recorded hours before it was appended", async () => {
    const at = (iso: string) => new Date(iso);
    // Appended in this order: times mostly ascending, one buffered entry two hours late, one on the boundary.
    const times = ["2030-05-01T10:00:00Z", "2030-05-02T09:00:00Z", "2030-05-02T23:59:59.999Z", "2030-05-03T00:00:00Z", "2030-05-02T22:00:00Z", "2030-05-04T08:00:00Z", "2030-05-06T08:00:00Z"];
    for (const [i, time] of times.entries()) {
      await appendAudit(tdb.db.pool, [{ kind: "data.imported", actor: "system", subjectType: "window-test", subjectId: `w-${i}`, payload: {}, at: at(time) }]);
    }
    const ids = (html: string) => [...html.matchAll(/window-test (w-\d)/g)].map((m) => m[1]);
    expect(ids((await get("/audit?subjectType=window-test&from=2030-05-02&to=2030-05-02")).body)).toEqual(["w-1", "w-2", "w-4"]);
    expect(ids((await get("/audit?subjectType=window-test&from=2030-05-03")).body)).toEqual(["w-3", "w-5", "w-6"]);
    expect(ids((await get("/audit?subjectType=window-test&to=2030-05-01")).body)).toEqual(["w-0"]);
    const csv = parse((await get("/audit/export?format=csv&subjectType=window-test&from=2030-05-02&to=2030-05-04")).body, { columns: true }) as Record<string, string>[];
    expect(csv.map((r) => r.subjectId)).toEqual(["w-1", "w-2", "w-3", "w-4", "w-5"]);
  });

  it("starts verification without htmx and redirects to its page, which shows the result", async () => {
    const page = await get("/audit");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const csrfCookie = [page.headers["set-cookie"]].flat().map((c) => String(c).split(";")[0] ?? "").find((c) => c.startsWith("irc_csrf="))!;
    const refused = await app.inject({ method: "POST", url: "/audit/verify", headers: { cookie: `${cookies.council}; ${csrfCookie}` }, payload: {} });
    expect(refused.statusCode).toBe(403);
    const started = await app.inject({
      method: "POST", url: "/audit/verify", headers: { cookie: `${cookies.council}; ${csrfCookie}`, "content-type": "application/x-www-form-urlencoded" },
      payload: `_csrf=${encodeURIComponent(csrf)}`,
    });
    expect(started.statusCode).toBe(303);
    const location = started.headers.location as string;
    expect(location).toMatch(/^\/audit\/verify\/[0-9a-f-]{36}$/);
    let body = "";
    for (let i = 0; i < 100; i += 1) {
      body = (await get(location)).body;
      if (!body.includes('data-state="running"')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toContain("Chain verified");
    const total = (await queryAudit(tdb.db.pool, { limit: 10_000 })).length;
    expect(body).toContain(`${total} entries checked`);
  });

  it("counts each agent's outcomes per action type and week", async () => {
    const pool = tdb.db.pool;
    const review = async (id: string, status: string, at: string, actionType = "file-note") => {
      await pool.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input) VALUES ($1, 'stats-agent', 't', $1, 'completed', '{}')", [id]);
      await pool.query(
        `INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt, draft, rationale, evidence, confidence, human_only, reason, decided_at)
         VALUES ($1, $1, 'i', 'stats-agent', $2, 't', $1, $3, '{}', '{}', 'r', '[]', 0.5, false, 'x', $4)`, [id, actionType, status, at]);
    };
    // Week of Monday 2026-03-02: accepted, edited, responded; week of 2026-03-09: ignored, accepted; one pending (no outcome).
    await review("st-1", "accepted", "2026-03-02T09:00:00Z");
    await review("st-2", "edited", "2026-03-04T09:00:00Z");
    await review("st-3", "responded", "2026-03-08T23:59:00Z");
    await review("st-4", "ignored", "2026-03-09T00:00:00Z");
    await review("st-5", "accepted", "2026-03-10T09:00:00Z", "other-type");
    await pool.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input) VALUES ('st-p', 'stats-agent', 't', 'p', 'waiting', '{}')");
    await pool.query(
      `INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt, draft, rationale, evidence, confidence, human_only, reason)
       VALUES ('st-p', 'st-p', 'i', 'stats-agent', 'file-note', 't', 'p', 'pending', '{}', '{}', 'r', '[]', 0.5, false, 'x')`);
    const action = (id: string, by: string, status: string, at: string) => pool.query(
      "INSERT INTO actions (id, idempotency_key, run_id, agent, action_type, payload, status, executed_by, created_at) VALUES ($1, $1, 'st-1', 'stats-agent', 'file-note', '{}', $2, $3, $4)",
      [id, status, by, at]);
    await action("ac-1", "agent:stats-agent", "executed", "2026-03-03T10:00:00Z");
    await action("ac-2", "agent:stats-agent", "executed", "2026-03-11T10:00:00Z");
    await action("ac-3", "user:someone (staff \"s\")", "executed", "2026-03-03T10:00:00Z");
    await action("ac-4", "agent:stats-agent", "failed", "2026-03-03T10:00:00Z");
    const stats = (await agentDecisionStats(pool, { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-03-16T00:00:00Z") }))
      .filter((s) => s.agent === "stats-agent");
    expect(stats.map((s) => s.actionType)).toEqual(["file-note", "other-type"]);
    expect(stats[0]).toMatchObject({ decisions: 6, acceptedWithoutEdit: 1, edited: 1, ignored: 1, overrides: 1, executedAutomatically: 2 });
    expect(stats[0]!.weeks).toEqual([
      { week: "2026-03-02", decisions: 4, acceptedWithoutEdit: 1, edited: 1, ignored: 0, overrides: 1, executedAutomatically: 1 },
      { week: "2026-03-09", decisions: 2, acceptedWithoutEdit: 0, edited: 0, ignored: 1, overrides: 0, executedAutomatically: 1 },
    ]);
    const page = await get("/agents?from=2026-03-01&to=2026-03-15");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<script type="application/json" id="agent-trends">');
    const json = JSON.parse(/id="agent-trends">([^<]*)<\/script>/.exec(page.body)![1]!) as { title: string; weeks: string[]; series: { decisions: number[] } }[];
    expect(json.find((c) => c.title === "stats-agent: file-note")).toMatchObject({ weeks: ["2026-03-02", "2026-03-09"], series: { decisions: [4, 2] } });
  });
});
