/**
 * `infusion-rcm claims scrub FILE|-` — the pre-bill scrubber on a visit record (JSON, first
 * non-blank character `{`) or an 837P/837I (X12, `ISA`), priced with the shipped CMS files.
 * Prints the findings as JSON (with `--full`, the captured and corrected claims too).
 * Exit 0 clean, 1 findings, 2 bad input.
 */
import { readScrubInput, scrubClaim, scrubVisit, type ScrubResult } from "../../../tools/claim/scrub/index.js";
import { loadCodingTables } from "../../../tools/coding/coding-tables.js";
import { AppError } from "../../../tools/errors.js";
import { EXIT, writeJson, type CliCommand } from "../command.js";
import { readInput } from "../read-input.js";

const USAGE = `usage:
  infusion-rcm claims scrub FILE|- [--full]   scrub a visit record (JSON) or an 837 (X12) before billing;
                                              prints the findings (exit 0 clean, 1 findings, 2 bad input)

An 837 alone is checked only for what the claim itself shows (duplicates, NDC, NCCI/MUE,
revenue codes, total); a visit record is checked against its MAR, orders and authorizations too.`;

export const claimsCommand: CliCommand = {
  name: "claims",
  summary: "Scrub a claim before billing (visit record JSON or 837 X12) and print the findings",
  usage: USAGE,
  run: async (args, io) => {
    const full = args.includes("--full");
    const [action, source, extra] = args.filter((a) => a !== "--full");
    if (action !== "scrub" || source === undefined || extra !== undefined) {
      io.stderr.write(`claims: expected "scrub FILE|-"\n${USAGE}\n`);
      return EXIT.BAD_INPUT;
    }
    let raw: string;
    try {
      raw = await readInput(source, io);
    } catch (error) {
      io.stderr.write(`claims: cannot read ${source}: ${(error as Error).message}\n`);
      return EXIT.BAD_INPUT;
    }
    try {
      // readInput keeps bytes as latin1 (X12); a JSON visit record is UTF-8.
      const text = raw.trimStart().startsWith("{") ? Buffer.from(raw, "latin1").toString("utf8") : raw;
      const input = readScrubInput(text);
      const tables = loadCodingTables();
      const results: ScrubResult[] = input.kind === "visit-record" ? [scrubVisit(input.record, tables)] : input.claims.map((c) => scrubClaim(c, tables));
      const claims = results.map((r) => ({
        claimId: r.corrected.claimId, clean: r.findings.length === 0, findings: r.findings, ...(full ? { captured: r.captured, corrected: r.corrected } : {}),
      }));
      writeJson(io.stdout, { input: input.kind, checks: input.kind === "837" ? "claim-only" : "all", claims });
      return claims.every((c) => c.clean) ? EXIT.OK : EXIT.FINDINGS;
    } catch (error) {
      if (error instanceof AppError && error.status === 400) {
        io.stderr.write(`claims: ${error.message}\n`);
        return EXIT.BAD_INPUT;
      }
      throw error;
    }
  },
};
