/**
 * Service instances as separate processes (`node --import tsx src/main.ts`), for the tests and
 * the bench that need what one process cannot show: several instances sharing one PostgreSQL
 * database, and one of them killed with SIGKILL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { projectRoot } from "../../src/project-root.js";

/** A running service process. */
export interface ServiceProcess {
  pid: number;
  /** The base URL it listens on. */
  url: string;
  /** Its last log lines (JSON), as they come. */
  logs: string[];
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Sends a signal (default SIGKILL: a crash). */
  kill(signal?: NodeJS.Signals): void;
  /** Stops it gracefully (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts a service process with `env` over a minimal environment (a fresh DATA_DIR unless given,
 * a free port, JSON logs at info unless LOG_LEVEL is given) and resolves once it is ready; rejects if it exits first or does not
 * become ready (GET /readyz answers 200: migrated, seeded, queue running) within `timeoutMs`.
 */
export async function spawnService(env: Record<string, string>, timeoutMs = 90_000, nodeArgs: string[] = []): Promise<ServiceProcess> {
  const dataDir = env.DATA_DIR ?? await mkdtemp(path.join(tmpdir(), "irc-proc-"));
  // A free port, chosen here so the URL does not depend on the log level.
  const port = env.PORT ?? String(await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(projectRoot(), "src", "main.ts")], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), NODE_ENV: "test", LOG_LEVEL: "info", DATA_DIR: dataDir, ...env, PORT: port, HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  // The last lines only (a long run logs a lot).
  const keep = (line: string) => void (logs.push(line) > 2_000 && logs.splice(0, 1_000));
  createInterface({ input: child.stdout! }).on("line", keep);
  createInterface({ input: child.stderr! }).on("line", keep);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
      if (ready) break;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited before it was ready:\n${logs.slice(-20).join("\n")}`);
      if (Date.now() > deadline) throw new Error(`the service was not ready within ${timeoutMs} ms:\n${logs.slice(-20).join("\n")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (error) {
    // A process that never became ready is not left behind.
    child.kill("SIGKILL");
    throw error;
  }
  return {
    pid: child.pid!, url, logs, exited,
    kill: (signal = "SIGKILL") => void child.kill(signal),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A TCP port nothing listens on right now (the OS's pick for port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
