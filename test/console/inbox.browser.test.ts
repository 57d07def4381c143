/**
 * The staff inbox in Chromium, on real drafts of the product agents over the sandbox: accept, edit
 * (the 278 the payer receives carries the edit), ignore, bulk accept — each item leaves the queue
 * and is in the trail under the person's name; a colleague's open inbox updates live.
 */
import pino from "pino";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { x12Messages } from "../../agents/prior-auth/nodes/draft-requests.js";
import { findUser, userActor } from "../../src/console/users.js";
import { Readiness } from "../../src/db/readiness.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { createLogger } from "../../src/logger.js";
import { buildHarness, SandboxClock, type Harness } from "../../src/sandbox/harness.js";
import { buildApp, type App } from "../../src/server/app.js";
import { recordingAuthorizations } from "../helpers/recording-clearinghouse.js";
import { scenarioClinic, type Scenario } from "../../tools/sandbox/scenario-clinic.js";
import { seedSandbox } from "../../tools/sandbox/seed-sandbox.js";
import { testConfig } from "../helpers/app.js";
import { createTestUsers, launchBrowser, seriousViolations, signIn } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

const ppo = { id: "SBCOM1", name: "Sandbox Commercial Health", type: "commercial", planId: "COM-PPO" };
const pembro = { hcpcs: "J9271", name: "pembrolizumab", doseMg: 200 };
const PATIENTS = ["p1", "p2", "p3", "p4", "p5", "p6"];
const scenarios: Scenario[] = [
  ...PATIENTS.map((id, i) => ({ id, payer: { ...ppo, memberId: `WPA000001${i}` }, drugs: [pembro], visits: ["2026-03-06"] })),
  { id: "missing", payer: { ...ppo, memberId: "WPA0000002" }, drugs: [pembro], visits: ["2026-03-06"] },
];

describe.each(DATABASE_KINDS)("staff inbox in a browser (%s)", (kind) => {
  let t: TestDatabase;
  let h: Harness;
  let app: App;
  let baseUrl: string;
  let browser: Browser;
  const sent: string[] = [];
  /** The pending item of an appointment and action type. */
  const itemId = async (appointment: string, actionType: string): Promise<string> => {
    const { rows } = await t.db.pool.query<{ id: string }>(
      "SELECT id FROM review_items WHERE subject_id = $1 AND action_type = $2 ORDER BY created_at DESC LIMIT 1", [appointment, actionType]);
    if (rows[0] === undefined) throw new Error(`no ${actionType} item for ${appointment}`);
    return rows[0].id;
  };
  const statusOf = async (id: string) => (await t.db.pool.query<{ status: string }>("SELECT status FROM review_items WHERE id = $1", [id])).rows[0]?.status;
  const decidedEntry = async (id: string) =>
    (await queryAudit(t.db.pool, { kind: "review.decided", limit: 1000 })).find((e) => (e.payload as { reviewId: string }).reviewId === id);
  const staffActor = async () => userActor((await findUser(t.db.pool, "staff-user"))!);
  const newPage = async (username = "staff-user"): Promise<Page> => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, baseUrl, username);
    return page;
  };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedSandbox(t.db.pool, scenarioClinic(scenarios), { id: "inbox-browser", meta: {} });
    h = await buildHarness({
      db: t.db, logger: pino({ level: "silent" }), clock: new SandboxClock(new Date("2026-03-01T08:00:00Z")), phase: "advisory",
      // What reaches the payer, as it reaches it.
      clearinghouse: recordingAuthorizations(sent),
    });
    for (const id of PATIENTS) {
      const run = await h.runtime.start("eligibility", { type: "appointment", id: `${id}-a1` }, { id: `${id}-a1` });
      expect(run.status).toBe("waiting");
    }
    expect((await h.runtime.start("prior-auth", { type: "appointment", id: "missing-a1" }, { id: "missing-a1" })).status).toBe("waiting");
    const logger = createLogger({ level: "silent" });
    const readiness = new Readiness(t.db, logger);
    readiness.markMigrated();
    app = await buildApp(testConfig(), { logger, readiness, runtime: h.runtime });
    baseUrl = await app.listen({ port: 0, host: "127.0.0.1" });
    await createTestUsers(t.db, ["staff", "admin"]);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  it("shows an item with who it is about, why, and the 271 segment its evidence came from; accept takes it out of the queue and into the trail", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/inbox`);
    await page.getByRole("link", { name: /eligibility · file-verification/ }).click();
    await expect(page.locator("[data-count='eligibility/file-verification']").textContent()).resolves.toBe(String(PATIENTS.length));
    const id = await itemId("p1-a1", "file-verification");
    await page.goto(`${baseUrl}/inbox/items/${id}`);
    const facts = await page.locator("section[aria-labelledby='about-h']").textContent();
    expect(facts).toContain("Patientp1, Test");
    expect(facts).toContain("1958-04-02");
    expect(facts).toContain("MRN-p1");
    expect(facts).toContain("Sandbox Commercial Health");
    // An evidence link opens the 271 as received, the segment it names marked.
    const link = page.locator("ol.evidence a", { hasText: /^271 ST\*271\*\S+ EB\*/ }).first();
    const ref = (await link.textContent())!;
    await link.click();
    const marked = (await page.locator("#marked").textContent())!;
    expect(ref).toContain(marked.replace(/~$/, ""));
    await expect(page.locator("h2").first().textContent()).resolves.toContain("The payer's 271, as received");
    // A chart resource, as the agent read it.
    await page.goto(`${baseUrl}/inbox/items/${id}`);
    await page.locator("ol.evidence a", { hasText: /^Coverage\// }).click();
    expect(JSON.parse((await page.locator("#resource").textContent())!)).toMatchObject({ memberId: "WPA0000010", payerId: "SBCOM1" });

    await page.goto(`${baseUrl}/inbox/items/${id}`);
    await Promise.all([page.waitForURL(/decided=accepted/), page.locator("#do-accept").click()]);
    await expect(page.locator("#item-status").textContent()).resolves.toContain("accepted by user:");
    expect(await statusOf(id)).toBe("accepted");
    expect(await decidedEntry(id)).toMatchObject({ actor: await staffActor(), payload: { decision: "accept" } });
    await page.goto(`${baseUrl}/inbox?agent=eligibility&type=file-verification`);
    await expect(page.locator(`tr[data-id="${id}"]`).count()).resolves.toBe(0);
    await expect(page.locator("tbody tr", { hasText: /Patientp1/ }).count()).resolves.toBe(0);
    await page.context().close();
  });

  it("an edited 278 justification is what the payer receives; the item shows before → after", async () => {
    const page = await newPage();
    const id = await itemId("missing-a1", "submit-auth-request");
    await page.goto(`${baseUrl}/inbox/items/${id}`);
    const summary = "Stage IV non-small cell lung cancer (C34.90), PD-L1 TPS 80 percent on repeat biopsy; first-line pembrolizumab per NCCN.";
    const field = page.getByLabel(/justification › summary/);
    const drafted = await field.inputValue();
    await field.fill(summary);
    const before = sent.length;
    await Promise.all([page.waitForURL(/decided=edited/), page.locator("#do-edit").click()]);
    const diff = page.locator("table.diff");
    await expect(diff.locator("del").first().textContent()).resolves.toBe(drafted);
    await expect(diff.locator("ins").first().textContent()).resolves.toBe(summary);
    expect(sent.length).toBe(before + 1);
    expect(sent.at(-1)).toContain(`MSG*${x12Messages(summary)[0]}`);
    expect(sent.at(-1)).not.toContain(`MSG*${x12Messages(drafted)[0]}`);
    expect(await decidedEntry(id)).toMatchObject({
      actor: await staffActor(), payload: { decision: "edit", changes: [{ field: "justification.summary", before: drafted, after: summary }] },
    });
    await page.context().close();
  });

  it("a refused edit shows the page again with why and what was typed; ignore keeps the reason", async () => {
    const page = await newPage();
    const id = await itemId("p2-a1", "file-verification");
    await page.goto(`${baseUrl}/inbox/items/${id}`);
    const disposition = page.getByLabel(/^disposition/);
    // The 271 confirmed coverage: a line saying inactive contradicts it (the action type's edit policy).
    await expect(disposition.inputValue()).resolves.toMatch(/^Verified for 2026-03-06: .* active/);
    await disposition.fill("Coverage inactive, call the patient");
    await page.locator("#do-edit").click();
    await expect(page.getByRole("status").first().textContent()).resolves.toMatch(/disposition: says inactive/);
    await expect(disposition.inputValue()).resolves.toBe("Coverage inactive, call the patient");
    expect(await statusOf(id)).toBe("pending");
    await page.getByLabel(/Note or reason/).fill("Patient rescheduled; checked by phone");
    await Promise.all([page.waitForURL(/decided=ignored/), page.locator("#do-ignore").click()]);
    expect(await statusOf(id)).toBe("ignored");
    expect(await decidedEntry(id)).toMatchObject({ actor: await staffActor(), payload: { decision: "ignore", reason: "Patient rescheduled; checked by phone" } });
    await page.context().close();
  });

  it("takes an item and hands it to a colleague, audited; 'assigned to me' lists it", async () => {
    const page = await newPage();
    const id = await itemId("p3-a1", "file-verification");
    await page.goto(`${baseUrl}/inbox/items/${id}`);
    await Promise.all([page.waitForURL(`${baseUrl}/inbox/items/${id}`), page.locator("#take").click()]);
    await expect(page.locator("#assignee").textContent()).resolves.toBe("me");
    await page.goto(`${baseUrl}/inbox?mine=1`);
    await expect(page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")))).resolves.toEqual([id]);
    await page.goto(`${baseUrl}/inbox/items/${id}`);
    await page.getByLabel("Hand to").selectOption({ label: "Test admin (admin-user)" });
    await Promise.all([page.waitForURL(`${baseUrl}/inbox/items/${id}`), page.getByRole("button", { name: "Hand over" }).click()]);
    await expect(page.locator("#assignee").textContent()).resolves.toBe("Test admin");
    const entries = (await queryAudit(t.db.pool, { kind: "review.assigned" })).filter((e) => (e.payload as { reviewId: string }).reviewId === id);
    expect(entries.map((e) => [e.actor, (e.payload as { assignedTo: { username: string } }).assignedTo.username])).toEqual([
      [await staffActor(), "staff-user"], [await staffActor(), "admin-user"],
    ]);
    await page.context().close();
  });

  it("bulk accepts the selected items of one action type, each decided and audited on its own", async () => {
    const page = await newPage();
    const ids = [await itemId("p3-a1", "file-verification"), await itemId("p4-a1", "file-verification")];
    await page.goto(`${baseUrl}/inbox?agent=eligibility&type=file-verification`);
    for (const id of ids) await page.locator(`#sel-${id}`).check();
    await Promise.all([page.waitForURL(`${baseUrl}/inbox/bulk-accept`), page.locator("#bulk-accept").click()]);
    await expect(page.locator("#bulk-results tr.ok").count()).resolves.toBe(2);
    await expect(page.getByRole("status").first().textContent()).resolves.toBe("2 of 2 accepted");
    for (const id of ids) {
      expect(await statusOf(id)).toBe("accepted");
      expect(await decidedEntry(id)).toMatchObject({ actor: await staffActor(), payload: { decision: "accept" } });
    }
    await page.context().close();
  });

  it("a colleague's open inbox drops an item live when someone else decides it", async () => {
    const watcher = await newPage("staff-user");
    await watcher.goto(`${baseUrl}/inbox?agent=eligibility&type=file-verification`);
    await watcher.waitForFunction("document.getElementById('inbox-live')?.textContent === 'Live updates: on'");
    const id = await itemId("p5-a1", "file-verification");
    await expect(watcher.locator(`tr[data-id="${id}"]`).count()).resolves.toBe(1);
    const before = await watcher.locator("[data-count='eligibility/file-verification']").textContent();

    const admin = await newPage("admin-user");
    await admin.goto(`${baseUrl}/inbox/items/${id}`);
    await Promise.all([admin.waitForURL(/decided=accepted/), admin.locator("#do-accept").click()]);

    await watcher.locator(`tr[data-id="${id}"]`).waitFor({ state: "detached", timeout: 10_000 });
    await expect(watcher.locator("[data-count='eligibility/file-verification']").textContent()).resolves.toBe(String(Number(before) - 1));
    await expect(watcher.locator("#inbox-live").textContent()).resolves.toMatch(/1 decided by a colleague/);
    await watcher.context().close();
    await admin.context().close();
  });

  it("has no serious or critical accessibility violation on the inbox, an item and an evidence page", async () => {
    const page = await newPage();
    const id = await itemId("p6-a1", "file-verification");
    for (const path of ["/inbox", "/inbox?agent=eligibility&type=file-verification", `/inbox/items/${id}`, `/inbox/items/${id}/evidence/1`, `/inbox/items/${await itemId("p1-a1", "file-verification")}`]) {
      await page.goto(`${baseUrl}${path}`);
      expect(await seriousViolations(page), path).toEqual([]);
    }
    await page.context().close();
  });

  it("keyboard: j selects the next row, Enter opens it, ? shows the shortcuts", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/inbox`);
    await expect(page.locator("#shortcuts").textContent()).resolves.toContain("accept");
    await page.keyboard.press("?");
    await expect(page.locator("#shortcuts.hidden").count()).resolves.toBe(1);
    await page.keyboard.press("j");
    const first = await page.locator("tbody tr.selected").getAttribute("data-id");
    expect(first).not.toBeNull();
    await Promise.all([page.waitForURL(`${baseUrl}/inbox/items/${first}`), page.keyboard.press("Enter")]);
    await page.context().close();
  });
});
