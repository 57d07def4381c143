/**
 * `npm run screenshots` — PNG screenshots of the console's main pages into docs/screenshots/, for
 * the README. Starts the service as a separate process on a fresh temporary data folder with the
 * sandbox clinic (its first sweep fills the inbox, the audit trail and the scorecard), stops it to
 * add one user per role (known passwords, on the embedded database), starts it again and, in
 * Debian's Chromium, signs in as each role and takes the pages that role works in. A page that
 * answers 404 (not built on this branch) is skipped with a warning.
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { createUser, type UserRole } from "../../src/console/users.js";
import { openDatabase } from "../../src/db/database.js";
import { loadAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { ADMIN_KEY_FILE } from "../../src/server/bootstrap-key.js";
import { projectRoot } from "../../src/project-root.js";
import { launchBrowser, signIn, TEST_PASSWORD } from "../helpers/browser.js";
import { spawnService } from "../helpers/instances.js";

const out = (line: string) => process.stdout.write(`${line}\n`);
const target = path.join(projectRoot(), "docs", "screenshots");

/** Today plus `days`, an ISO date. */
function shift(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The pages to take, each as the role that works in it: [file name, role, how to reach it]. */
type Reach = string | ((page: Page) => Promise<string | undefined>);
const SHOTS: [string, UserRole, Reach][] = [
  ["home-staff", "staff", "/"],
  ["inbox", "staff", "/inbox"],
  ["inbox-item", "staff", async (page) => firstLink(page, "/inbox", 'a[href^="/inbox/items/"]')],
  ["audit", "council", "/audit"],
  ["run-timeline", "council", async (page) => firstLink(page, "/audit", 'a[href^="/audit/runs/"]')],
  ["agents", "council", "/agents"],
  ["admin-agents", "admin", "/admin/agents"],
  // The sandbox's checks are of the coming days: a range around today shows them.
  ["scorecard", "finance", `/scorecard?from=${shift(-14)}&to=${shift(14)}`],
];

/** The href of the first `selector` on `from`, or undefined (the page is missing or has none). */
async function firstLink(page: Page, from: string, selector: string): Promise<string | undefined> {
  const response = await page.goto(new URL(from, page.url()).toString());
  if (response?.status() !== 200) return undefined;
  return (await page.locator(selector).first().getAttribute("href", { timeout: 2000 }).catch(() => null)) ?? undefined;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "irc-screenshots-"));
  const env = { DATA_DIR: dataDir, LOG_LEVEL: "warn", SANDBOX: "on" };
  try {
    // First start: migrates, seeds the sandbox and sweeps the next days.
    let service = await spawnService(env, 300_000);
    const key = (await readFile(path.join(dataDir, ADMIN_KEY_FILE), "utf8")).trim();
    for (let i = 0; i < 300; i += 1) {
      const body = await (await fetch(`${service.url}/v1/sweeps`, { headers: { authorization: `Bearer ${key}` } })).json() as { sweeps?: { status: string }[] };
      if ((body.sweeps ?? []).length > 0 && body.sweeps!.every((s) => s.status === "completed")) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await service.stop();
    // One user per role with a known password (the embedded database is the service's own: stopped meanwhile).
    useAuditKeyring(await loadAuditKeyring({ dataDir }));
    const db = await openDatabase({ kind: "pglite", dataDir });
    try {
      for (const role of ["staff", "council", "admin", "finance"] as const) {
        await createUser(db.pool, { username: `${role}-user`, displayName: `Sample ${role}`, role, createdBy: "screenshots", password: TEST_PASSWORD });
      }
    } finally {
      await db.close();
    }
    service = await spawnService({ ...env, SWEEP_ON_START: "false" }, 300_000);
    await mkdir(target, { recursive: true });
    const browser = await launchBrowser();
    try {
      for (const [name, role, reach] of SHOTS) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        await signIn(page, service.url, `${role}-user`);
        const where = typeof reach === "string" ? reach : await reach(page);
        if (where === undefined) {
          out(`warning: ${name} skipped: nothing to open (its page is not built on this branch, or it lists nothing)`);
          await context.close();
          continue;
        }
        const response = await page.goto(new URL(where, service.url).toString());
        if (response?.status() !== 200) {
          out(`warning: ${name} skipped: ${where} answered ${response?.status() ?? "nothing"}`);
        } else {
          await page.waitForLoadState("networkidle");
          const file = path.join(target, `${name}.png`);
          // The whole page, up to 3,000 px tall (a run's timeline can be ten times that: its top says enough).
          const height = await page.evaluate("document.documentElement.scrollHeight") as number;
          await page.screenshot({ path: file, fullPage: height <= 3000, ...(height > 3000 ? { clip: { x: 0, y: 0, width: page.viewportSize()?.width ?? 1280, height: 3000 } } : {}) });
          out(`${name}: ${where} as ${role} → ${path.relative(projectRoot(), file)}`);
        }
        await context.close();
      }
    } finally {
      await browser.close();
      await service.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
