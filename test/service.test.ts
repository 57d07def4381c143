import { spawn } from "node:child_process";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { startService } from "../src/service.js";
import { ADMIN_KEY_FILE } from "../src/server/bootstrap-key.js";
import { LogCapture, testConfig } from "./helpers/app.js";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Runs `src/main.ts` in a child process until it logs that it listens; returns its URL. */
function startChild(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`exited early (${code}): ${output}`)));
  });
  return { child, listening, exited, output: () => output };
}

describe("service lifecycle", () => {
  it("SIGTERM stops the process with exit 0, and the embedded database reopens with its data", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "irc-service-"));
    const first = startChild({ DATA_DIR: dataDir });
    const url = await first.listening;
    const keyFile = path.join(dataDir, ADMIN_KEY_FILE);
    const key = (await readFile(keyFile, "utf8")).trim();
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    // The log says where the key is, never the key.
    expect(first.output()).toContain(keyFile);
    expect(first.output()).not.toContain(key);
    const me = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain("shutdown complete");

    const second = startChild({ DATA_DIR: dataDir });
    const url2 = await second.listening;
    // Same database: the key from the first start still works and no second key file was made.
    expect((await fetch(`${url2}/v1/me`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await readFile(keyFile, "utf8")).trim()).toBe(key);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  });

  it("a second process on the same embedded data folder is refused, not allowed to corrupt it", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "irc-service-"));
    const first = startChild({ DATA_DIR: dataDir });
    await first.listening;
    const second = startChild({ DATA_DIR: dataDir });
    await expect(second.listening).rejects.toThrow(/in use by process/);
    expect(await second.exited).toBe(1);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  });

  it("finishes in-flight requests before closing, then closes the database", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "irc-service-"));
    const logs = new LogCapture();
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => { started = resolve; });
    const service = await startService(testConfig({ DATA_DIR: dataDir, PORT: "0" }), createLogger({ level: "info" }, logs), {
      configure: async (app) => {
        app.get("/slow", async () => {
          started();
          await new Promise((r) => setTimeout(r, 500));
          return { done: true };
        });
      },
    });
    const inFlight = fetch(`${service.url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    // Stop once the request is being handled (the first sweep may keep the embedded database busy meanwhile).
    await handlerStarted;
    await service.stop();
    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    await expect(service.db.pool.query("SELECT 1")).rejects.toThrow();
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    expect(logs.text).toContain("shutdown complete");
  });
});
