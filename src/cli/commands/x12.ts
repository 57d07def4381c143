/**
 * `infusion-rcm x12 parse FILE|-` prints the typed transactions and issues as JSON (exit 0);
 * `infusion-rcm x12 validate FILE|-` prints the issues (exit 0 valid, 1 issues, 2 not X12).
 */
import { NotX12Error } from "../../../tools/edi/tokenizer.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import { EXIT, writeJson, type CliCommand } from "../command.js";
import { readInput } from "../read-input.js";

const USAGE = `usage:
  infusion-rcm x12 parse FILE|-      typed JSON of every transaction, with issues (exit 0; 2 when not X12)
  infusion-rcm x12 validate FILE|-   the issues (exit 0 valid, 1 issues found, 2 not X12)

Reads 270, 271, 278 (request and response), 835, 837I/837P, 999 and 277/277CA.`;

export const x12Command: CliCommand = {
  name: "x12",
  summary: "Parse or validate X12 5010 files (835, 271, 278, 837, 999, 277 …)",
  usage: USAGE,
  run: async (args, io) => {
    const [action, source, extra] = args;
    if ((action !== "parse" && action !== "validate") || source === undefined || extra !== undefined) {
      io.stderr.write(`x12: expected "parse FILE|-" or "validate FILE|-"\n${USAGE}\n`);
      return EXIT.BAD_INPUT;
    }
    let text: string;
    try {
      text = await readInput(source, io);
    } catch (error) {
      io.stderr.write(`x12: cannot read ${source}: ${(error as Error).message}\n`);
      return EXIT.BAD_INPUT;
    }
    try {
      const { transactions, issues } = parseX12(text);
      if (action === "parse") {
        writeJson(io.stdout, { transactions: transactions.map((t) => ({ type: t.type, controlNumber: t.controlNumber, implementationRef: t.implementationRef, data: t.data })), issues });
        return EXIT.OK;
      }
      writeJson(io.stdout, { valid: issues.length === 0, transactions: transactions.length, issues });
      return issues.length === 0 ? EXIT.OK : EXIT.FINDINGS;
    } catch (error) {
      if (error instanceof NotX12Error) {
        io.stderr.write(`x12: not X12: ${error.message}\n`);
        return EXIT.BAD_INPUT;
      }
      throw error;
    }
  },
};
