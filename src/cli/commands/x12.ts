/** `infusion-rcm x12` — placeholder until the toolkit lands (replaced by its issue). */
import { EXIT, type CliCommand } from "../command.js";

export const x12Command: CliCommand = {
  name: "x12",
  summary: "(in development)",
  usage: "infusion-rcm x12",
  run: async (_args, io) => {
    io.stderr.write("not implemented yet\n");
    return EXIT.BAD_INPUT;
  },
};
