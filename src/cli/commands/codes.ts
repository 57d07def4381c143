/** `infusion-rcm codes` — placeholder until the toolkit lands (replaced by its issue). */
import { EXIT, type CliCommand } from "../command.js";

export const codesCommand: CliCommand = {
  name: "codes",
  summary: "(in development)",
  usage: "infusion-rcm codes",
  run: async (_args, io) => {
    io.stderr.write("not implemented yet\n");
    return EXIT.BAD_INPUT;
  },
};
