/** `infusion-rcm sandbox seed` — (re)generates the synthetic sandbox clinic in the configured database. */
import { parseArgs } from "node:util";
import { loadCodingTables } from "../../../tools/coding/coding-tables.js";
import { loadConfig } from "../../config.js";
import { seedClinic } from "../../sandbox/sandbox-world.js";
import { EXIT, writeJson, type CliCommand } from "../command.js";
import { progressBar } from "../progress.js";
import { withConfiguredDatabase } from "./database-access.js";

const USAGE = `usage: infusion-rcm sandbox seed [--patients 60] [--weeks 4] [--seed 42] [--as-of YYYY-MM-DD]

Replaces the sandbox clinic (synthetic patients, coverage, regimens, schedule, MAR, notes, payer
members and authorizations, planted defects) in the configured database. Deterministic per seed.`;

export const sandboxCommand: CliCommand = {
  name: "sandbox",
  summary: "Seed the synthetic sandbox clinic (sandbox seed --patients 60 --weeks 4 --seed 42)",
  usage: USAGE,
  run: async (args, io) => {
    const [action, ...rest] = args;
    if (action !== "seed") {
      io.stderr.write(`${USAGE}\n`);
      return EXIT.BAD_INPUT;
    }
    const { values } = parseArgs({ args: rest, options: { patients: { type: "string", default: "60" }, weeks: { type: "string", default: "4" }, seed: { type: "string", default: "42" }, "as-of": { type: "string" } }, strict: true });
    const patients = Number(values.patients);
    const weeks = Number(values.weeks);
    const seed = Number(values.seed);
    const asOf = values["as-of"] ?? new Date().toISOString().slice(0, 10);
    if (!Number.isInteger(patients) || patients < 1 || !Number.isInteger(weeks) || weeks < 1 || !Number.isInteger(seed) || !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
      io.stderr.write("sandbox seed: --patients and --weeks must be positive whole numbers, --seed a whole number, --as-of YYYY-MM-DD\n");
      return EXIT.BAD_INPUT;
    }
    const config = loadConfig();
    const tables = loadCodingTables();
    const bar = progressBar("seeding sandbox clinic", io.stderr);
    try {
      const { seeded, ...counts } = await withConfiguredDatabase((db) => seedClinic(db.pool, config, tables, { patients, weeks, seed, asOf }, bar.update));
      bar.stop();
      writeJson(io.stdout, { seeded, patients, weeks, seed, asOf, ...counts });
      return EXIT.OK;
    } finally {
      bar.stop();
    }
  },
};
