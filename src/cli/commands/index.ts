/** Every subcommand of `infusion-rcm`, in the order `--help` lists them. */
import type { CliCommand } from "../command.js";
import { auditCommand } from "./audit.js";
import { claimsCommand } from "./claims.js";
import { codesCommand } from "./codes.js";
import { dataCommand } from "./data.js";
import { eligibilityCommand } from "./eligibility.js";
import { keysCommand } from "./keys.js";
import { usersCommand } from "./users.js";
import { migrateCommand } from "./migrate.js";
import { retentionCommand } from "./retention.js";
import { sandboxCommand } from "./sandbox.js";
import { serveCommand } from "./serve.js";
import { sweepCommand } from "./sweep.js";
import { x12Command } from "./x12.js";

export const commands: CliCommand[] = [serveCommand, migrateCommand, keysCommand, usersCommand, sandboxCommand, sweepCommand, x12Command, eligibilityCommand, codesCommand, claimsCommand, dataCommand, retentionCommand, auditCommand];
