/**
 * The council's console in Chromium: the audit explorer filtered to one run, that run's timeline
 * (steps, tool call, gate verdict, review with the edit before → after), the chain verified with
 * its anchors, the filtered entries exported as CSV; the agent record with its weekly chart.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditAnchors } from "../../src/governance/audit-anchors.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import type { AgentRuntime } from "../../src/orchestration/runtime.js";
import type { App } from "../../src/server/app.js";
import { buildTestApp } from "../helpers/app.js";
import { createTestUsers, launchBrowser, seriousViolations, signIn } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";
import { SubmissionLog, testAgent } from "../orchestration/test-agent.js";

/** No serious or critical axe violation on the page as it is now. */
async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

describe.each(DATABASE_KINDS)("the council's console in a browser (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let runtime: AgentRuntime;
  let anchors: AuditAnchors;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let editedRun: string;
  let otherRun: string;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    anchors = new AuditAnchors({ pool: tdb.db.pool, dataDir: path.join(tmpdir(), `irc-council-${randomUUID()}`) });
    const registry = new AgentRegistry().register(testAgent(), { log: new SubmissionLog() });
    ({ app, runtime } = await buildTestApp(tdb.db, {}, { registry }, { auditAnchors: anchors }));
    baseUrl = await app.listen({ port: 0, host: "127.0.0.1" });
    await createTestUsers(tdb.db, ["council", "staff"]);
    // One run drafted a note a person edited; another was accepted as drafted.
    const edited = await runtime.start("test-escalator", { type: "test", id: "claim-1" }, {
      proposals: [{ actionType: "file-note", key: `edit-${kind}`, note: "draft text", confidence: 0.5 }],
    });
    editedRun = edited.id;
    const review = (await runtime.getRun(editedRun)).reviews[0]!;
    await runtime.decide(review.id, { type: "edit", args: { note: "edited, with the auth number" } }, "user:test (staff \"clerk\")");
    const other = await runtime.start("test-escalator", { type: "test", id: "claim-2" }, {
      proposals: [{ actionType: "file-note", key: `ok-${kind}`, note: "fine as is", confidence: 0.5 }],
    });
    otherRun = other.id;
    await runtime.decide((await runtime.getRun(otherRun)).reviews[0]!.id, { type: "accept" }, "user:test (staff \"clerk\")");
    await anchors.anchor("run-end");
    browser = await launchBrowser();
    context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    await signIn(page, baseUrl, "council-user");
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await tdb?.drop();
  });

  it("filters the audit to one run and opens its timeline with the gate, the review and the edit before → after", async () => {
    await page.goto(`${baseUrl}/audit`);
    await page.getByLabel("Run id").fill(editedRun);
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Search" }).click()]);
    const rows = page.locator("table.audit tbody tr");
    const expected = await queryAudit(tdb.db.pool, { runId: editedRun });
    await expect(rows.count()).resolves.toBe(expected.length);
    const shownSeqs = await page.locator("table.audit tbody tr td:first-child").allTextContents();
    expect(shownSeqs.map(Number)).toEqual(expected.map((e) => e.seq));
    await Promise.all([page.waitForNavigation(), rows.first().getByRole("link", { name: "timeline" }).click()]);
    expect(new URL(page.url()).pathname).toBe(`/audit/runs/${editedRun}`);
    const timeline = page.locator("ol.timeline");
    await expect(timeline.locator("li").count()).resolves.toBe(expected.length);
    const text = await timeline.textContent();
    expect(text).toContain("Tool call: count-proposals");
    expect(text).toContain("Gate: review (file-note)");
    expect(text).toContain("Review decided: edit (file-note)");
    const diff = page.locator("table.diff");
    await expect(diff.locator("del").textContent()).resolves.toBe("draft text");
    await expect(diff.locator("ins").textContent()).resolves.toBe("edited, with the auth number");
  });

  it("filters by kind and by person, pages by keyset, and refuses a bad date with a 400 page", async () => {
    await page.goto(`${baseUrl}/audit?kind=review.decided`);
    await expect(page.locator("table.audit tbody tr").count()).resolves.toBe(2);
    await page.goto(`${baseUrl}/audit?actor=${encodeURIComponent("user:test")}&kind=review.decided&runId=${otherRun}`);
    await expect(page.locator("table.audit tbody tr").count()).resolves.toBe(1);
    const response = await page.goto(`${baseUrl}/audit?from=2026-02-30`);
    expect(response?.status()).toBe(400);
    await expect(page.locator("main").textContent()).resolves.toContain("from");
  });

  it("verifies the chain in the background and shows 'verified' with the anchors", async () => {
    await page.goto(`${baseUrl}/audit`);
    await page.getByRole("button", { name: "Verify the chain" }).click();
    const verdict = page.locator("#verify-result .verify-verdict");
    await verdict.waitFor({ timeout: 20_000 });
    await expect(verdict.textContent()).resolves.toMatch(/Chain verified/);
    // Every entry was walked (those after the anchor too: the sign-in), and the anchor written after the runs matched.
    const entries = (await queryAudit(tdb.db.pool, { limit: 10_000 })).length;
    const anchor = (await anchors.list(1))[0]!.anchor!;
    expect(anchor.seq).toBeLessThan(entries);
    await expect(verdict.textContent()).resolves.toContain(`${entries} entries checked`);
    await expect(verdict.textContent()).resolves.toContain(`latest anchor (entry ${anchor.seq}`);
    const anchorRow = page.locator("#verify-result table.anchors tbody tr").first();
    await expect(anchorRow.textContent()).resolves.toContain(String(anchor.seq));
    await expect(anchorRow.textContent()).resolves.toContain("valid");
  });

  it("exports the filtered entries as CSV: the file has exactly the filtered rows", async () => {
    await page.goto(`${baseUrl}/audit?runId=${encodeURIComponent(editedRun)}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
    const file = await download.path();
    const records = parse(await readFile(file, "utf8"), { columns: true }) as Record<string, string>[];
    const expected = await queryAudit(tdb.db.pool, { runId: editedRun });
    expect(records.map((r) => Number(r.seq))).toEqual(expected.map((e) => e.seq));
    expect(new Set(records.map((r) => r.runId))).toEqual(new Set([editedRun]));
    const decided = records.find((r) => r.kind === "review.decided")!;
    expect(JSON.parse(decided.payload!)).toMatchObject({ decision: "edit", changes: [{ field: "note", before: "draft text", after: "edited, with the auth number" }] });
  });

  it("shows each agent's record by action type with a weekly chart", async () => {
    await page.goto(`${baseUrl}/agents`);
    const row = page.locator("table.agent-stats tbody tr", { hasText: "file-note" });
    const cells = await row.locator("td").allTextContents();
    // Decisions, accepted without edit, edited, ignored, overrides, executed automatically.
    expect(cells.slice(2).map(Number)).toEqual([2, 1, 1, 0, 0, 0]);
    await page.locator(".chart[data-rendered='true'] canvas").first().waitFor({ timeout: 10_000 });
  });

  it("every council page has no serious or critical accessibility violation", async () => {
    for (const url of ["/audit", `/audit?runId=${editedRun}`, `/audit/runs/${editedRun}`, "/agents"]) {
      await page.goto(`${baseUrl}${url}`);
      await expectAccessible(page);
    }
    await page.goto(`${baseUrl}/agents`);
    await page.locator(".chart[data-rendered='true']").first().waitFor();
    await expectAccessible(page);
    await page.goto(`${baseUrl}/audit`);
    await page.getByRole("button", { name: "Verify the chain" }).click();
    await page.locator("#verify-result .verify-verdict").waitFor({ timeout: 20_000 });
    await expectAccessible(page);
  }, 180_000);

  it("staff opening the audit gets the 403 page", async () => {
    const staff = await browser.newContext();
    const staffPage = await staff.newPage();
    await signIn(staffPage, baseUrl, "staff-user");
    const response = await staffPage.goto(`${baseUrl}/audit`);
    expect(response?.status()).toBe(403);
    await staff.close();
  });
});
