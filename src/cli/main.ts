#!/usr/bin/env node
/** `infusion-rcm` — the command-line entry point. */
import type { CliIo } from "./command.js";
import { runCli } from "./run.js";

const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`infusion-rcm: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
