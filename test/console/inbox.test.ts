/**
 * The staff inbox's list without a browser: tabs and their counts, filters, paging, assignment
 * and refusals (a bad filter is a 400 page, never a 500), over items written as a run writes them.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignReview, countInbox, listInbox, x12Segments } from "../../src/console/inbox.js";
import { editFromForm, formFields, inboxHref } from "../../src/console/pages/inbox.js";
import { openSession } from "../../src/console/sessions.js";
import { findUser } from "../../src/console/users.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import type { App } from "../../src/server/app.js";
import { buildTestApp } from "../helpers/app.js";
import { createTestUsers } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

const PAYERS = [{ id: "SBCOM1", name: "Sandbox Commercial Health" }, { id: "SBMCR", name: "Sandbox Medicare Part B" }];
const TYPES = [["eligibility", "file-verification"], ["eligibility", "eligibility-exception"], ["prior-auth", "submit-auth-request"]] as const;

describe.each(DATABASE_KINDS)("staff inbox list (%s)", (kind) => {
  let t: TestDatabase;
  let app: App;
  let cookie: string;
  let staffId: string;
  let adminId: string;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app } = await buildTestApp(t.db));
    await createTestUsers(t.db, ["staff", "admin", "council"]);
    staffId = (await findUser(t.db.pool, "staff-user"))!.id;
    adminId = (await findUser(t.db.pool, "admin-user"))!.id;
    cookie = `irc_session=${await openSession(t.db.pool, staffId, { idleMinutes: 30, maxHours: 12 })}`;
    const runId = randomUUID();
    await t.db.pool.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input) VALUES ($1, 'eligibility', 'appointment', 'a', 'waiting', '{}')", [runId]);
    // 130 pending items: three tabs, two payers, confidences 0.50–0.99, due on consecutive hours; and 20 decided ones.
    for (let i = 0; i < 150; i += 1) {
      const [agent, actionType] = TYPES[i % 3]!;
      const payer = PAYERS[i % 2]!;
      const id = `item-${String(i).padStart(3, "0")}`;
      ids.push(id);
      await t.db.pool.query(
        `INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt, draft, rationale,
           evidence, confidence, human_only, reason, due_by, created_at, summary, about, decided_at, payer_id, payer_name)
         VALUES ($1, $2, $1, $3, $4, 'appointment', $1, $5, '{"config":{}}', '{}', 'r', '[]', $6, false, 'below threshold', $7, now(), $8, $9, $10,
           $9::jsonb #>> '{payer,id}', $9::jsonb #>> '{payer,name}')`,
        [id, runId, agent, actionType, i < 130 ? "pending" : "accepted", 0.5 + (i % 50) / 100, new Date(Date.UTC(2026, 2, 1, i)), `Item ${i}`,
          JSON.stringify({ patient: { id: `p${i}`, name: `Patient, Test${i}`, birthDate: "1958-04-02", mrn: `MRN-${i}` }, appointment: { id: `a${i}`, dateOfService: "2026-03-06" }, payer }),
          i < 130 ? null : new Date()],
      );
    }
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const get = (url: string) => app.inject({ method: "GET", url, headers: { cookie } });

  it("counts every tab and payer from one grouped count, and lists a page soonest due first", async () => {
    const counts = await countInbox(t.db.pool, {});
    expect(counts.all).toBe(130);
    expect(counts.tabs).toEqual([
      { agent: "eligibility", actionType: "eligibility-exception", count: 43 },
      { agent: "eligibility", actionType: "file-verification", count: 44 },
      { agent: "prior-auth", actionType: "submit-auth-request", count: 43 },
    ]);
    expect(counts.payers.map((p) => [p.id, p.count])).toEqual([["SBCOM1", 65], ["SBMCR", 65]]);
    const tab = await countInbox(t.db.pool, { agent: "prior-auth", actionType: "submit-auth-request", payer: "SBCOM1" });
    expect(tab.total).toBe(22);
    expect(tab.all).toBe(65);
    const page = await listInbox(t.db.pool, { agent: "eligibility", actionType: "file-verification" }, { offset: 0, limit: 5 });
    expect(page.map((r) => r.id)).toEqual(["item-000", "item-003", "item-006", "item-009", "item-012"]);
    const high = await countInbox(t.db.pool, { band: "high" });
    expect(high.all).toBe(20); // confidence 0.90–0.99: i % 50 in 40..49, i in 40–49 and 90–99
  });

  it("renders tabs with counts, filters and pages with the total; every item once across pages", async () => {
    const first = await get("/inbox");
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain("130 items · page 1 of 3");
    expect(first.body).toMatch(/eligibility · file-verification <span class="badge"[^>]*>44</);
    const seen = new Set<string>();
    for (const p of [1, 2, 3]) {
      const res = await get(`/inbox/list?page=${p}`);
      for (const m of res.body.matchAll(/data-id="(item-\d+)"/g)) seen.add(m[1]!);
    }
    expect(seen.size).toBe(130);
    const filtered = await get("/inbox?agent=eligibility&type=file-verification&payer=SBMCR&due=2026-03-02&band=medium");
    // due before 2026-03-02: i < 24; file-verification: i % 3 == 0; SBMCR: odd i; medium: 0.70–0.89 → i % 50 in 20..39
    expect([...filtered.body.matchAll(/data-id="(item-\d+)"/g)].map((m) => m[1])).toEqual(["item-021"]);
    expect(filtered.body).toContain("1 item · page 1 of 1");
  });

  it("answers bad filter values with a 400 page naming the field, never a 500", async () => {
    for (const query of ["band=extreme", "due=yesterday", "page=0", "page=abc", "page=99999999", `payer=${"x".repeat(500)}`, "mine=yes"]) {
      const res = await get(`/inbox?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.headers["content-type"]).toContain("text/html");
      expect(res.body).toContain("Some fields are not valid");
    }
    expect((await get("/inbox/items/no-such-item")).statusCode).toBe(404);
    expect((await get("/inbox/items/item-001/evidence/1")).statusCode).toBe(404);
    expect((await get("/inbox/items/item-001/evidence/0")).statusCode).toBe(400);
  });

  it("refuses a council member and a signed-out visitor", async () => {
    const council = (await findUser(t.db.pool, "council-user"))!.id;
    const theirs = `irc_session=${await openSession(t.db.pool, council, { idleMinutes: 30, maxHours: 12 })}`;
    expect((await app.inject({ method: "GET", url: "/inbox", headers: { cookie: theirs } })).statusCode).toBe(403);
    const out = await app.inject({ method: "GET", url: "/inbox" });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe("/sign-in?next=%2Finbox");
  });

  it("assigns an item, audited; 'assigned to me' shows only mine; a decided item or a council member cannot take one", async () => {
    const staff = (await findUser(t.db.pool, staffId))!;
    expect(await assignReview(t.db.pool, "item-004", staffId, staff, new Date())).toMatchObject({ changed: true, assignedTo: { id: staffId } });
    await assignReview(t.db.pool, "item-005", adminId, staff, new Date());
    const mine = await get("/inbox?mine=1");
    expect([...mine.body.matchAll(/data-id="(item-\d+)"/g)].map((m) => m[1])).toEqual(["item-004"]);
    const [entry] = (await queryAudit(t.db.pool, { kind: "review.assigned" })).filter((e) => (e.payload as { reviewId: string }).reviewId === "item-005");
    expect(entry).toMatchObject({ actor: `user:${staffId} (staff "staff-user")`, payload: { assignedTo: { id: adminId, username: "admin-user" }, before: null } });
    await expect(assignReview(t.db.pool, "item-140", staffId, staff, new Date())).rejects.toThrow(/no longer pending/);
    const council = (await findUser(t.db.pool, "council-user"))!;
    await expect(assignReview(t.db.pool, "item-006", council.id, staff, new Date())).rejects.toThrow(/active staff member or admin/);
  });

  it("a form posted without its CSRF token is refused", async () => {
    const res = await app.inject({ method: "POST", url: "/inbox/items/item-007/assign", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, payload: "to=me" });
    expect(res.statusCode).toBe(403);
    expect((await t.db.pool.query("SELECT assigned_to FROM review_items WHERE id = 'item-007'")).rows[0].assigned_to).toBeNull();
  });

  it("streams changes to the queue as server-sent events, and ends the stream when the service closes", async () => {
    const { app: served } = await buildTestApp(t.db);
    const base = await served.listen({ port: 0, host: "127.0.0.1" });
    const chunks: string[] = [];
    let ended = false;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${base}/inbox/events`, { headers: { cookie } }, resolve).on("error", reject);
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    response.setEncoding("utf8");
    response.on("data", (c: string) => chunks.push(c));
    response.on("end", () => (ended = true));
    response.on("close", () => (ended = true));
    // The feed starts at the trail's end; then a decision elsewhere is told.
    await new Promise((r) => setTimeout(r, 1500));
    const staff = (await findUser(t.db.pool, staffId))!;
    await assignReview(t.db.pool, "item-010", staffId, staff, new Date());
    const deadline = Date.now() + 5000;
    while (!chunks.join("").includes("event: inbox") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const event = chunks.join("").split("\n\n").find((e) => e.includes("event: inbox"));
    expect(JSON.parse(event!.split("data: ")[1]!)).toEqual({ created: [], decided: [], assigned: ["item-010"], byOthers: false });
    const started = Date.now();
    await served.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 50));
    expect(ended).toBe(true);
  });

  it("a stream starts where its page was rendered: a change between the page and the connection is announced; a reconnection resumes after its last event", async () => {
    const page = await get("/inbox");
    const events = /data-events="([^"]+)"/.exec(page.body)?.[1]?.replaceAll("&amp;", "&");
    expect(events).toMatch(/^\/inbox\/events\?after=\d+$/);
    // Taken after the page was read and before the browser connected.
    const staff = (await findUser(t.db.pool, staffId))!;
    await assignReview(t.db.pool, "item-011", staffId, staff, new Date());
    const { app: served } = await buildTestApp(t.db);
    const base = await served.listen({ port: 0, host: "127.0.0.1" });
    const firstEvent = async (url: string, headers: Record<string, string> = {}) => {
      const chunks: string[] = [];
      const request = http.get(`${base}${url}`, { headers: { cookie, ...headers } });
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => request.on("response", resolve).on("error", reject));
      expect(response.statusCode).toBe(200);
      response.setEncoding("utf8");
      response.on("data", (c: string) => chunks.push(c));
      const deadline = Date.now() + 3000;
      while (!chunks.join("").includes("event: inbox") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      request.destroy();
      return chunks.join("").split("\n\n").find((e) => e.includes("event: inbox")) ?? null;
    };
    try {
      const event = await firstEvent(events!);
      expect(event).not.toBeNull();
      expect(JSON.parse(event!.split("data: ")[1]!)).toMatchObject({ assigned: ["item-011"] });
      const id = Number(/^id: (\d+)$/m.exec(event!)?.[1]);
      expect(id).toBeGreaterThan(Number(events!.split("after=")[1]));
      // The browser reconnects with the last id it saw: nothing is announced twice.
      expect(await firstEvent(events!, { "last-event-id": String(id) })).toBeNull();
      expect((await get("/inbox/events?after=-1")).statusCode).toBe(400);
    } finally {
      await served.close();
    }
  });

  it("builds the edit form from the action type's edit schema and sends only the changed fields", () => {
    const schema = {
      type: "object",
      properties: {
        justification: {
          type: "object",
          properties: { summary: { type: "string", maxLength: 1200 }, ecog: { anyOf: [{ type: "object" }, { type: "null" }] } },
        },
      },
    };
    const fields = formFields(schema, { justification: { summary: "Stage IV.", ecog: null } });
    expect(fields.map((f) => [f.name, f.kind, f.value])).toEqual([["justification.summary", "textarea", "Stage IV."], ["justification.ecog", "json", "null"]]);
    expect(editFromForm(fields, { "f:justification.summary": "Stage IV, PD-L1 80%.", "f:justification.ecog": "null" }))
      .toEqual({ justification: { summary: "Stage IV, PD-L1 80%." } });
    expect(() => editFromForm(fields, { "f:justification.ecog": "{not json" })).toThrow(/justification.ecog: is not valid JSON/);
    expect(inboxHref({ agent: "eligibility", page: 3 }, { band: "high" })).toBe("/inbox?agent=eligibility&band=high");
    expect(x12Segments("ST*271*0001~BHT*0022~SE*3*0001~")).toEqual(["ST*271*0001", "BHT*0022", "SE*3*0001"]);
  });
});
