/**
 * The admin's console in Chromium: a refused promotion shows its unmet criteria and is audited;
 * an earned one changes the phase; a sweep started from its page reaches 100 % over the sandbox
 * clinic; the data status page; the council gets the 403 page on admin pages.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAudit } from "../../src/governance/audit-log.js";
import { currentPhase, DEFAULT_AUTONOMY_POLICY } from "../../src/governance/autonomy.js";
import { sweepProgress } from "../../src/jobs/sweep-progress.js";
import type { SweepService } from "../../src/jobs/sweep-service.js";
import type { App } from "../../src/server/app.js";
import { addDays } from "../../tools/iso-dates.js";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readiness } from "../../src/db/readiness.js";
import { AuditAnchors } from "../../src/governance/audit-anchors.js";
import { buildApp } from "../../src/server/app.js";
import { testConfig } from "../helpers/app.js";
import { createTestUsers, launchBrowser, seriousViolations, signIn } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";
import { TODAY, seedSmallClinic, sweepHarness } from "../jobs/sweep-harness.js";
import { sweepTestAgent } from "../jobs/sweep-test-agent.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import { testRuntime } from "../helpers/app.js";
import { createLogger } from "../../src/logger.js";

/** Partial needs 3 reviewed, 2/3 accepted as drafted, no minimum days; full stays the default (500 reviewed). */
const POLICY = { ...DEFAULT_AUTONOMY_POLICY, partial: { minReviewed: 3, minAcceptedWithoutEdit: 0.66, minDays: 0 } };

/** No serious or critical axe violation on the page as it is now. */
async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

describe.each(DATABASE_KINDS)("the admin's console in a browser (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let sweeps: SweepService;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  /** A decided review of the eligibility agent (the record promotions are earned from), like the governance tests seed it. */
  async function decided(id: string, status: "accepted" | "edited"): Promise<void> {
    await tdb.db.pool.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input) VALUES ($1, 'eligibility', 'appointment', $1, 'completed', '{}')", [id]);
    await tdb.db.pool.query(
      `INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt, draft, rationale, evidence, confidence, human_only, reason, decided_at, decided_by)
       VALUES ($1, $2, 'i1', 'eligibility', 'file-note', 'appointment', $2, $3, '{}', '{}', 'r', '[]', 0.8, false, 'advisory', now() - interval '1 hour', 'test')`,
      [`review-${id}`, id, status]);
  }

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    await seedSmallClinic(tdb.db);
    const registry = new AgentRegistry();
    const runtime = await testRuntime(tdb.db, createLogger({ level: "silent" }), { registry, policy: POLICY });
    // Each appointment takes a moment, so the page first shows the sweep running and htmx follows it.
    const harness = await sweepHarness(tdb.db, { runtime, delayMs: 300 });
    registry.register(sweepTestAgent("eligibility"), harness.deps);
    sweeps = harness.sweeps;
    await sweeps.start({ schedule: false });
    const logger = createLogger({ level: "silent" });
    const readiness = new Readiness(tdb.db, logger);
    readiness.markMigrated();
    const auditAnchors = new AuditAnchors({ pool: tdb.db.pool, dataDir: path.join(tmpdir(), `irc-admin-${randomUUID()}`) });
    app = await buildApp(testConfig(), { logger, readiness, runtime, sweeps, auditAnchors });
    baseUrl = await app.listen({ port: 0, host: "127.0.0.1" });
    await createTestUsers(tdb.db, ["admin", "council"]);
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, baseUrl, "admin-user");
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await sweeps?.stop(2_000);
    await tdb?.drop();
  });

  const wholeAgentForm = () => page.getByRole("form", { name: "Change the phase of Sweep test agent" });

  it("a promotion the record does not support is refused, shows its unmet criteria, and is audited", async () => {
    await page.goto(`${baseUrl}/admin/agents`);
    const form = wholeAgentForm();
    await form.getByLabel("New phase").selectOption("full");
    await form.getByLabel("Justification").fill("the clinic trusts it fully now");
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), form.getByRole("button", { name: "Change phase" }).click()]);
    expect(response.status()).toBe(409);
    await page.waitForLoadState();
    const refused = page.locator("section.refused");
    await expect(refused.locator("h2").textContent()).resolves.toBe("Promotion refused");
    const unmet = await refused.locator("li").allTextContents();
    expect(unmet).toEqual(["reviewed decisions 0 < 500", "accepted without edit 0.0 % < 98.0 %", "record spans 0 days < 90"]);
    const audited = await queryAudit(tdb.db.pool, { kind: "autonomy.refused", agent: "eligibility" });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor: expect.stringMatching(/^user:.* \(admin "admin-user"\)$/), payload: { requested: "full", unmet, justification: "the clinic trusts it fully now" } });
    expect(await currentPhase(tdb.db.pool, "eligibility", "*")).toBe("advisory");
  });

  it("shows the record against each criterion as progress, and an earned promotion changes the phase", async () => {
    await decided("rec-1", "accepted");
    await decided("rec-2", "accepted");
    await decided("rec-3", "edited");
    await page.goto(`${baseUrl}/admin/agents`);
    const criteria = page.locator("section.agent table.criteria").first();
    const bars = await criteria.getByRole("progressbar").evaluateAll((els) => els.map((e) => [e.getAttribute("aria-label"), e.getAttribute("aria-valuenow")]));
    expect(bars).toEqual([["Reviewed decisions", "100"], ["Accepted without edit", "100"], ["Days of record", "100"]]);
    const form = wholeAgentForm();
    await form.getByLabel("New phase").selectOption("partial");
    await form.getByLabel("Justification").fill("three reviews, two accepted as drafted");
    await Promise.all([page.waitForNavigation(), form.getByRole("button", { name: "Change phase" }).click()]);
    await expect(page.getByRole("status").first().textContent()).resolves.toContain("advisory → partial");
    await expect(page.locator("section.agent h2 .badge").textContent()).resolves.toBe("partial");
    expect(await currentPhase(tdb.db.pool, "eligibility", "*")).toBe("partial");
    const changed = await queryAudit(tdb.db.pool, { kind: "autonomy.changed", agent: "eligibility" });
    expect(changed.at(-1)).toMatchObject({ payload: { from: "advisory", to: "partial", justification: "three reviews, two accepted as drafted" } });
  });

  it("starts a sweep for a date range and its progress bar reaches 100 % with what it found", async () => {
    await page.goto(`${baseUrl}/admin/sweeps`);
    await page.getByLabel("First date of service").fill(TODAY);
    await page.getByLabel("Last date of service").fill(addDays(TODAY, 4));
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Start sweep" }).click()]);
    expect(new URL(page.url()).pathname).toMatch(/^\/admin\/sweeps\/.+/);
    // htmx replaces the progress every 2 s until the sweep completes.
    const sweepId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1)!);
    const running = await page.locator("#sweep-progress").getAttribute("data-status");
    await page.locator("#sweep-progress[data-status='completed']").waitFor({ timeout: 60_000 });
    const done = await sweepProgress(tdb.db.pool, sweepId);
    expect(done).toMatchObject({ status: "completed", items: { queued: 0, failed: 0 } });
    expect(running).toBe("running");
    await expect(page.getByRole("progressbar", { name: "Sweep progress" }).getAttribute("aria-valuenow")).resolves.toBe("100");
    await expect(page.locator(".sweep-percent").textContent()).resolves.toBe("100 %");
    const status = await page.locator("#sweep-progress p[role='status']").textContent();
    expect(status).toMatch(/^Completed: (\d+) of \1 appointments checked\.$/);
    await expect(page.getByRole("link", { name: "Its items in the inbox" }).getAttribute("href")).resolves.toMatch(/^\/inbox\?sweep=/);
    await page.goto(`${baseUrl}/admin/sweeps`);
    await expect(page.locator("table tbody tr").first().textContent()).resolves.toContain("completed");
  }, 90_000);

  it("refuses a sweep over more than 92 days with the 400 page", async () => {
    await page.goto(`${baseUrl}/admin/sweeps`);
    await page.getByLabel("First date of service").fill("2026-01-01");
    await page.getByLabel("Last date of service").fill("2026-06-30");
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Start sweep" }).click()]);
    expect(response.status()).toBe(400);
    await page.waitForLoadState();
    await expect(page.locator("main").textContent()).resolves.toContain("at most 92 days");
  });

  it("shows the data status (loaded files and alerts)", async () => {
    const response = await page.goto(`${baseUrl}/admin/data`);
    expect(response?.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Data status");
  });

  it("every admin page has no serious or critical accessibility violation", async () => {
    const sweepId = (await tdb.db.pool.query<{ id: string }>("SELECT id FROM sweeps ORDER BY created_at DESC LIMIT 1")).rows[0]?.id;
    for (const url of ["/admin/agents", "/admin/data", "/admin/sweeps", `/admin/sweeps/${sweepId}`]) {
      await page.goto(`${baseUrl}${url}`);
      await expectAccessible(page);
    }
    // The refused promotion's page too.
    await page.goto(`${baseUrl}/admin/agents`);
    const form = wholeAgentForm();
    await form.getByLabel("New phase").selectOption("full");
    await form.getByLabel("Justification").fill("try the highest phase again");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), form.getByRole("button", { name: "Change phase" }).click()]);
    await page.locator("section.refused").waitFor();
    await expectAccessible(page);
  }, 180_000);

  it("the council opening /admin/agents gets the 403 page", async () => {
    const council = await browser.newContext();
    const councilPage = await council.newPage();
    await signIn(councilPage, baseUrl, "council-user");
    const response = await councilPage.goto(`${baseUrl}/admin/agents`);
    expect(response?.status()).toBe(403);
    await expect(councilPage.locator("main").textContent()).resolves.toContain("This page is for admin");
    await council.close();
  });
});
