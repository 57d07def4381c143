/** `infusion-rcm retention run` — one retention pass now, as the schedule (RETENTION_CRON) runs it. */
import { EXIT, writeJson, type CliCommand } from "../command.js";
import { loadConfig } from "../../config.js";
import { retentionDeps, runRetention } from "../../jobs/retention.js";
import { withConfiguredDatabase } from "./database-access.js";

const USAGE = `usage: infusion-rcm retention run

Runs one retention pass on the configured database, with the configured settings (README,
"Retention"): prunes finished runs' checkpoints, superseded review items, finished runs and
completed sweeps past their windows; makes the audit log's next monthly partitions; archives audit
months older than AUDIT_RETAIN_MONTHS to AUDIT_ARCHIVE_DIR (verified before their partition is
dropped). Prints what it did; one retention.pruned audit entry records it (actor: cli).
Exit 1 when an expired audit month could not be archived (it is kept; the reason is printed).`;

export const retentionCommand: CliCommand = {
  name: "retention",
  summary: "Run the retention pass now (pruning, audit partitions and archives)",
  usage: USAGE,
  run: async (args, io) => {
    if (args[0] !== "run" || args.length > 1) {
      io.stderr.write(`retention: expected run\n${USAGE}\n`);
      return EXIT.BAD_INPUT;
    }
    const config = loadConfig();
    const report = await withConfiguredDatabase((db) => runRetention(retentionDeps(config, db.pool, () => new Date(), undefined, "cli")));
    writeJson(io.stdout, report);
    if (report.auditArchiveError !== null) {
      io.stderr.write(`retention: ${report.auditArchiveError}\n`);
      return EXIT.FINDINGS;
    }
    return EXIT.OK;
  },
};
