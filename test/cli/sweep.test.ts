import { spawn } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays } from "../../tools/iso-dates.js";
import { runCliCaptured } from "../helpers/cli.js";

describe("infusion-rcm sweep (embedded database)", () => {
  const saved = { ...process.env };
  beforeEach(async () => {
    process.env.DATA_DIR = await mkdtemp(path.join(tmpdir(), "irc-cli-sweep-"));
    process.env.SANDBOX_PATIENTS = "12";
    process.env.SANDBOX_WEEKS = "2";
    delete process.env.DATABASE_URL;
  });
  afterEach(() => {
    for (const key of ["DATA_DIR", "SANDBOX_PATIENTS", "SANDBOX_WEEKS", "DATABASE_URL"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("seeds the sandbox on first use, works the sweep in-process with a progress bar, and prints its counts", async () => {
    const from = new Date().toISOString().slice(0, 10);
    const to = addDays(from, 6);
    const result = await runCliCaptured(["sweep", "--from", from, "--to", to]);
    expect(result.stderr).toContain(`sweep ${from}..${to}`);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { status: string; total: number; items: { done: number }; results: { runs: { completed: number; waiting: number } } };
    expect(out.status).toBe("completed");
    expect(out.total).toBeGreaterThan(0);
    expect(out.items.done).toBe(out.total);
    // The eligibility and prior-auth agents each ran once per appointment.
    // Both agents checked the appointments, in batches: at least one run each, never more than one per appointment.
    const runs = out.results.runs.completed + out.results.runs.waiting;
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(2 * out.total);
  }, 120_000);

  it("refuses bad dates, and says to stop the service when the embedded database is in use", async () => {
    const bad = await runCliCaptured(["sweep", "--from", "2026-03-06", "--to", "2026-03-02"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/to must not be before from/);

    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      await mkdir(path.join(process.env.DATA_DIR!, "pglite"), { recursive: true });
      await writeFile(path.join(process.env.DATA_DIR!, "pglite.lock"), String(holder.pid));
      const locked = await runCliCaptured(["sweep", "--from", "2026-03-02", "--to", "2026-03-06"]);
      expect(locked.code).toBe(2);
      expect(locked.stderr).toMatch(/in use by process \d+/);
      expect(locked.stderr).toMatch(/stop the service .* or start the sweep through it: POST \/v1\/sweeps/);
    } finally {
      holder.kill();
    }
  });
});
