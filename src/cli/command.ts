/** The contract every `infusion-rcm` subcommand implements. */
import type { Readable, Writable } from "node:stream";

/** Streams a command reads and writes; tests pass their own. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Exit codes shared by all commands. */
export const EXIT = {
  OK: 0,
  /** The command ran and found problems (e.g. `x12 validate` found issues). */
  FINDINGS: 1,
  /** Bad input or usage: the message names the problem. */
  BAD_INPUT: 2,
} as const;

/** One subcommand: `infusion-rcm <name> …`. */
export interface CliCommand {
  name: string;
  summary: string;
  /** Usage text printed by `infusion-rcm <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Writes a value as pretty JSON followed by a newline. */
export function writeJson(out: Writable, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}
