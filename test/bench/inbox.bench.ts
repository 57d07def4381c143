/**
 * The staff inbox's queries with 10,000 pending items (and 40,000 decided ones): a page and the
 * counts of every tab, for the filters a clerk uses, timed one after another on the embedded
 * database and, with TEST_DATABASE_URL, on PostgreSQL (where the plans are printed).
 *
 * Then the inbox page itself over HTTP, open loop at 100 requests/s for 10 s (tabs and filters
 * in turn), with its p99 and the rate achieved.
 *
 *   npx tsx test/bench/inbox.bench.ts
 */
import { randomUUID } from "node:crypto";
import { countInbox, listInbox, type InboxFilter } from "../../src/console/inbox.js";
import { openSession } from "../../src/console/sessions.js";
import { buildTestApp } from "../helpers/app.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { onScratchDatabase } from "./scratch-database.js";

const PENDING = 10_000;
const DECIDED = 40_000;
const TYPES = [["eligibility", "file-verification"], ["eligibility", "eligibility-exception"], ["prior-auth", "submit-auth-request"], ["prior-auth", "auth-exception"], ["prior-auth", "auth-verified"]];

async function seed(db: Database): Promise<string> {
  const runId = randomUUID();
  await db.pool.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input) VALUES ($1, 'eligibility', 'appointment', 'a', 'waiting', '{}')", [runId]);
  const { rows } = await db.pool.query<{ id: string }>(
    "INSERT INTO users (id, username, display_name, role, created_by) VALUES ($1, 'bench', 'Bench', 'staff', 'bench') RETURNING id", [randomUUID()]);
  const user = rows[0]!.id;
  await db.pool.query(
    `INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt, draft, rationale,
       evidence, confidence, human_only, reason, due_by, created_at, summary, about, decided_at, assigned_to, payer_id, payer_name)
     SELECT 'r' || i, $1, 'r' || i, (ARRAY[${TYPES.map(([a]) => `'${a}'`).join(",")}])[1 + i % 5], (ARRAY[${TYPES.map(([, t]) => `'${t}'`).join(",")}])[1 + i % 5],
       'appointment', 'a' || i, CASE WHEN i < $2 THEN 'pending' ELSE 'accepted' END, '{"config":{}}', '{"x":1}', 'because', '[]',
       (i % 100) / 100.0, false, 'below threshold', timestamptz '2026-03-01' + make_interval(mins => i * 7 % 20000), now(), 'Item ' || i,
       jsonb_build_object('patient', jsonb_build_object('id', 'p' || i, 'name', 'Patient, ' || i, 'birthDate', '1958-04-02', 'mrn', 'MRN' || i),
         'appointment', jsonb_build_object('id', 'a' || i, 'dateOfService', '2026-03-06'),
         'payer', jsonb_build_object('id', 'PAYER' || (i % 20), 'name', 'Payer ' || (i % 20))),
       CASE WHEN i < $2 THEN NULL ELSE now() END, CASE WHEN i % 40 = 0 THEN $3 END, 'PAYER' || (i % 20), 'Payer ' || (i % 20)
     FROM generate_series(0, $4 - 1) AS i`,
    [runId, PENDING, user, PENDING + DECIDED],
  );
  await db.pool.query("VACUUM ANALYZE review_items");
  return user;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(label: string, db: Database, user: string, explain: boolean): Promise<void> {
  const filters: [string, InboxFilter, number][] = [
    ["all, page 1", {}, 0],
    ["one tab, page 1", { agent: "prior-auth", actionType: "submit-auth-request" }, 0],
    ["tab + payer + band", { agent: "eligibility", actionType: "file-verification", payer: "PAYER5", band: "high" }, 0],
    ["due before + mine", { dueBefore: new Date("2026-03-05"), assignedTo: user }, 0],
    ["all, page 100", {}, 99 * 50],
  ];
  for (const [name, filter, offset] of filters) {
    const times: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const started = performance.now();
      await Promise.all([listInbox(db.pool, filter, { offset, limit: 50 }), countInbox(db.pool, filter)]);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`${label} · ${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`);
  }
  if (!explain) return;
  for (const sql of [
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM review_items WHERE status = 'pending' AND agent = 'prior-auth' AND action_type = 'submit-auth-request'
       AND payer_id = 'PAYER5' ORDER BY due_by ASC NULLS LAST, created_at ASC, id ASC LIMIT 50`,
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM review_items WHERE status = 'pending' ORDER BY due_by ASC NULLS LAST, created_at ASC, id ASC LIMIT 50 OFFSET 4950`,
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT agent, action_type, payer_id, max(payer_name), count(*)::int FROM review_items
       WHERE status = 'pending' AND confidence >= 0.9 AND confidence < 1.01 GROUP BY agent, action_type, payer_id`,
  ]) {
    const { rows } = await db.pool.query<{ "QUERY PLAN": string }>(sql);
    console.log(rows.map((r) => `  ${r["QUERY PLAN"]}`).join("\n"));
  }
}

/** The inbox page at `rate` requests/s for `seconds`, open loop: p50, p99 and the rate achieved. */
async function measureHttp(label: string, db: Database, user: string, rate = 100, seconds = 10): Promise<void> {
  const { app } = await buildTestApp(db, { LOG_LEVEL: "warn", RATE_LIMIT_MAX: "1000000" });
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  const cookie = `irc_session=${await openSession(db.pool, user, { idleMinutes: 30, maxHours: 12 })}`;
  const paths = ["/inbox", "/inbox?agent=prior-auth&type=submit-auth-request", "/inbox?payer=PAYER5&band=high", "/inbox?mine=1", "/inbox?page=20"];
  for (const path of paths) await fetch(`${base}${path}`, { headers: { cookie } }).then((r) => r.text());
  const times: number[] = [];
  let failed = 0;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = due;
    pending.push(fetch(`${base}${paths[i % paths.length]}`, { headers: { cookie } }).then(async (r) => {
      await r.text();
      if (r.status !== 200) failed += 1;
      times.push(performance.now() - sent);
    }));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  console.log(`${label} · inbox page over HTTP at ${rate}/s: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, ` +
    `achieved ${(times.length / elapsed).toFixed(0)}/s, ${failed} failed`);
  await app.close();
}

const embedded = await openDatabase({ kind: "pglite", dataDir: "memory" });
await migrate(embedded.pool);
const embeddedUser = await seed(embedded);
await measure("embedded", embedded, embeddedUser, false);
await measureHttp("embedded", embedded, embeddedUser);
await embedded.close();
const url = process.env.TEST_DATABASE_URL;
if (url !== undefined) {
  await onScratchDatabase(url, async (db) => {
    await migrate(db.pool);
    const user = await seed(db);
    await measure("postgresql", db, user, true);
    await measureHttp("postgresql", db, user);
  });
}
