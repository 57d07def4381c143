/**
 * `infusion-rcm sweep --from … --to …` — runs a pre-service sweep in this process on the
 * configured database: the same agents and job queue as the service, a progress bar on standard
 * error, the sweep's counts as JSON on standard output.
 */
import { parseArgs } from "node:util";
import { AppError } from "../../../tools/errors.js";
import type { Logger } from "pino";
import { loadConfig, type Config } from "../../config.js";
import type { Database } from "../../db/database.js";
import { SweepKind } from "../../jobs/sweep-store.js";
import { createLogger } from "../../logger.js";
import { DateRange } from "../../server/routes/date-range.js";
import { MAX_SWEEP_DAYS } from "../../server/routes/sweeps.js";
import { buildServiceComponents, prepareComponents, takeOverDeadInstances, type ServiceComponents } from "../../service-components.js";
import { EXIT, writeJson, type CliCommand, type CliIo } from "../command.js";
import { progressBar } from "../progress.js";
import { withConfiguredDatabase } from "./database-access.js";

const USAGE = `usage: infusion-rcm sweep --from YYYY-MM-DD --to YYYY-MM-DD [--kind manual|recheck|pre-bill]

Checks every appointment in the range with the pre-service agents (eligibility, prior
authorization), one queued job per appointment, and waits until all are done. Prints the sweep's
progress and counts as JSON; exits 1 when some appointments failed after every retry.
--kind recheck keeps only appointments whose primary coverage is on a volatile plan.
--kind pre-bill is a pre-bill pass: every past visit in the range whose charges are captured and
whose claim has not gone to the payer, scrubbed and drafted by the pre-bill agent.

With the embedded database (no DATABASE_URL) stop the service first — PGlite is one process —
or ask the running service instead: POST /v1/sweeps {"from": …, "to": …}.`;

export const sweepCommand: CliCommand = {
  name: "sweep",
  summary: "Run a pre-service sweep over a date range in this process (sweep --from 2026-03-02 --to 2026-03-06)",
  usage: USAGE,
  run: async (args, io) => {
    const { values } = parseArgs({ args, options: { from: { type: "string" }, to: { type: "string" }, kind: { type: "string", default: "manual" } }, strict: true });
    const range = DateRange(MAX_SWEEP_DAYS).safeParse({ from: values.from, to: values.to });
    const kind = SweepKind.exclude(["daily"]).safeParse(values.kind);
    if (!range.success || !kind.success) {
      const problems = [...(range.error?.issues ?? []), ...(kind.error?.issues ?? [])].map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`);
      io.stderr.write(`sweep: ${problems.join("; ")}\n\n${USAGE}\n`);
      return EXIT.BAD_INPUT;
    }
    try {
      return await runSweep(range.data, kind.data, io);
    } catch (error) {
      if (error instanceof AppError && error.code === "UNAVAILABLE" && /in use by process/.test(error.message)) {
        io.stderr.write(`sweep: ${error.message}.\nThe embedded database is single-process: stop the service (npm start) first, ` +
          "or start the sweep through it: POST /v1/sweeps (see the README).\n");
        return EXIT.BAD_INPUT;
      }
      throw error;
    }
  },
};

async function runSweep(range: { from: string; to: string }, kind: "manual" | "recheck" | "pre-bill", io: CliIo): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: "warn" }, io.stderr);
  return withConfiguredDatabase(async (db) => {
    const components = buildServiceComponents(config, db, logger);
    // Works the queue like a service instance: registered, so its jobs are taken over if it dies, and it takes over the dead.
    await components.instance.start();
    try {
      return await sweepWith(components, config, db, logger, range, kind, io);
    } finally {
      await components.instance.stop();
    }
  });
}

/** Prepares the components, opens the queue, takes over dead instances' work and runs the sweep to its end. */
async function sweepWith(
  components: ServiceComponents, config: Config, db: Database, logger: Logger, range: { from: string; to: string }, kind: "manual" | "recheck" | "pre-bill", io: CliIo,
): Promise<number> {
  const seeding = progressBar("seeding sandbox clinic", io.stderr);
  try {
    await prepareComponents(config, db, components, logger, seeding.update);
  } finally {
    seeding.stop();
  }
  const { sweeps } = components;
  await sweeps.start({ schedule: false });
  const bar = progressBar(`sweep ${range.from}..${range.to}`, io.stderr);
  try {
    await takeOverDeadInstances(components, logger);
    const { id } = await sweeps.startSweep({ ...range, kind, requestedBy: "cli" });
    const result = await sweeps.waitForCompletion(id, { pollMs: 250, onProgress: (p) => bar.update(p.items.done + p.items.failed, p.total) });
    bar.stop();
    writeJson(io.stdout, result);
    return result.items.failed > 0 ? EXIT.FINDINGS : EXIT.OK;
  } finally {
    bar.stop();
    await sweeps.stop(config.shutdownTimeoutMs);
    await components.anchors.stop();
  }
}
