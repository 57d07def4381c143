/** `infusion-rcm serve` — runs the service (what `npm start` runs). */
import { EXIT, type CliCommand } from "../command.js";

export const serveCommand: CliCommand = {
  name: "serve",
  summary: "Run the HTTP service (configured from the environment; see .env.example)",
  usage: "usage: infusion-rcm serve\n\nStarts the service as `npm start` does; stops cleanly on SIGTERM/SIGINT.",
  run: async (args, io) => {
    if (args.length > 0) {
      io.stderr.write(`serve: unexpected argument ${args[0]}\n`);
      return EXIT.BAD_INPUT;
    }
    await import("../../main.js");
    // main.js owns the process from here; it exits on a signal.
    return new Promise<number>(() => undefined);
  },
};
