/** `infusion-rcm migrate` — applies pending migrations to the configured database. */
import { EXIT, writeJson, type CliCommand } from "../command.js";
import { migrate } from "../../db/migrate.js";
import { withConfiguredDatabase } from "./database-access.js";

export const migrateCommand: CliCommand = {
  name: "migrate",
  summary: "Apply pending database migrations (DATABASE_URL, or the embedded database in DATA_DIR)",
  usage: `usage: infusion-rcm migrate

Applies every pending migration in order, each in a transaction, under an advisory lock.
Prints { "applied": [...], "alreadyApplied": N }.`,
  run: async (args, io) => {
    if (args.length > 0) {
      io.stderr.write(`migrate: unexpected argument ${args[0]}\n`);
      return EXIT.BAD_INPUT;
    }
    writeJson(io.stdout, await withConfiguredDatabase((db) => migrate(db.pool), { migrateFirst: false }));
    return EXIT.OK;
  },
};
