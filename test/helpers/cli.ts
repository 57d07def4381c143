/** Runs the CLI in-process with in-memory streams. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterEach, beforeEach } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { createTestDatabase, type DatabaseKind, type TestDatabase } from "./databases.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `infusion-rcm …args` with optional standard input. */
export async function runCliCaptured(args: string[], stdin = ""): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await runCli(args, { stdin: Readable.from([stdin]), stdout, stderr });
  return { code, stdout: out, stderr: err };
}

/**
 * Points the CLI at a fresh, unmigrated database of `kind` for each test (a PostgreSQL database
 * through DATABASE_URL, or an embedded one in a new DATA_DIR), and restores the environment after.
 * Returns the test's scratch directory, the DATA_DIR (where the CLI keeps the audit key, too).
 */
export function useCliDatabase(kind: DatabaseKind): { dir: () => string } {
  const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
  let t: TestDatabase | undefined;
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "irc-cli-"));
    process.env.DATA_DIR = dir;
    if (kind === "postgres") {
      t = await createTestDatabase("postgres", { migrate: false });
      await t.db.close();
      process.env.DATABASE_URL = t.url;
    } else {
      delete process.env.DATABASE_URL;
    }
  });
  afterEach(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await t?.drop();
    t = undefined;
  });
  return { dir: () => dir };
}
