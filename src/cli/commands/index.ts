/** Every subcommand of `infusion-rcm`, in the order `--help` lists them. */
import type { CliCommand } from "../command.js";
import { codesCommand } from "./codes.js";
import { x12Command } from "./x12.js";

export const commands: CliCommand[] = [x12Command, codesCommand];
