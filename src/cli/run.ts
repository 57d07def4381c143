/** Dispatches `infusion-rcm <command>` to one subcommand module each. */
import { commands } from "./commands/index.js";
import { EXIT, type CliIo } from "./command.js";

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(overview());
    return name === undefined ? EXIT.BAD_INPUT : EXIT.OK;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(`infusion-rcm: unknown command "${name}"\n\n${overview()}`);
    return EXIT.BAD_INPUT;
  }
  if (rest[0] === "--help" || rest[0] === "-h") {
    io.stdout.write(`${command.usage.trimEnd()}\n`);
    return EXIT.OK;
  }
  return command.run(rest, io);
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: infusion-rcm <command> [options]\n\ncommands:\n${lines.join("\n")}\n\n` +
    "Run `infusion-rcm <command> --help` for a command's options.\n";
}

