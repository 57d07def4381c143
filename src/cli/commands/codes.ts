/**
 * `infusion-rcm codes units|ndc|price|admin|carc` — the coding toolkit from the command line.
 * JSON out, exit 0; bad input → exit 2 with a message naming the problem.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import { AppError } from "../../../tools/errors.js";
import { deriveAdministrationCodes } from "../../../tools/coding/administration-codes.js";
import { billingUnits } from "../../../tools/coding/billing-units.js";
import { loadCodingTables, type CodingTables } from "../../../tools/coding/coding-tables.js";
import { DrugClass, Route } from "../../../tools/coding/drug-catalogue.js";
import { expectedPayment, type ContractTerms } from "../../../tools/coding/expected-payment.js";
import { hyphenate } from "../../../tools/coding/ndc.js";
import { EXIT, writeJson, type CliCommand, type CliIo } from "../command.js";

const USAGE = `usage:
  infusion-rcm codes units --hcpcs J9267 --dose "332.5 mg" [--concentration "6 mg/mL"]
  infusion-rcm codes ndc 0006-3026-02
  infusion-rcm codes price --hcpcs J9271 --units 200 --dos 2026-02-10 --payer medicare|medicare-advantage|commercial|medicaid
        [--deductible 100.00] [--coinsurance 20] [--percent-of-asp 115 | --rate 68.50]
  infusion-rcm codes admin --events FILE.json
  infusion-rcm codes carc 197        (or: codes rarc M119)`;

const Events = z.object({
  events: z.array(z.object({
    id: z.string().optional(), drug: z.string().min(1), hcpcs: z.string().nullish(), class: DrugClass, route: Route,
    start: z.string().min(1), stop: z.string().nullish(), site: z.string().nullish(), pump: z.boolean().optional(),
  })).min(1),
});

class UsageError extends Error {}

async function run(action: string, args: string[], tables: () => CodingTables, io: CliIo): Promise<unknown> {
  switch (action) {
    case "units": {
      const { values } = parseArgs({ args, options: { hcpcs: { type: "string" }, dose: { type: "string" }, concentration: { type: "string" } }, strict: true });
      if (values.hcpcs === undefined || values.dose === undefined) throw new UsageError("codes units needs --hcpcs and --dose");
      const row = tables().asp.latest(values.hcpcs.toUpperCase());
      if (row === null) throw new UsageError(`HCPCS ${values.hcpcs} is not in the loaded ASP files`);
      return { ...billingUnits(row.hcpcs, values.dose, row.dosage, values.concentration), description: row.description };
    }
    case "ndc": {
      const [input, extra] = args;
      if (input === undefined || extra !== undefined) throw new UsageError("codes ndc needs exactly one NDC");
      const r = tables().crosswalk.resolve(input);
      if (!r.ok) throw new UsageError(r.message);
      const first = r.entries[0];
      return {
        input, ndc11: r.ndc11, ndc542: hyphenate(r.ndc11), format: r.format, inCrosswalk: r.entries.length > 0,
        hcpcs: first?.hcpcs ?? null, drugName: first?.drugName ?? null, labeler: first?.labeler ?? null, hcpcsDosage: first?.hcpcsDosage ?? null,
        packageSize: first?.packageSize ?? null, packageQuantity: first?.packageQuantity ?? null, billingUnitsPerPackage: first?.billingUnitsPerPackage ?? null,
        otherHcpcs: [...new Set(r.entries.slice(1).map((e) => e.hcpcs))],
      };
    }
    case "price": {
      const { values } = parseArgs({ args, options: { hcpcs: { type: "string" }, units: { type: "string" }, dos: { type: "string" }, payer: { type: "string" }, deductible: { type: "string" }, coinsurance: { type: "string" }, "percent-of-asp": { type: "string" }, rate: { type: "string" } }, strict: true });
      const payer = z.enum(["medicare", "medicare-advantage", "commercial", "medicaid"]).safeParse(values.payer);
      if (!payer.success) throw new UsageError("--payer must be medicare, medicare-advantage, commercial or medicaid");
      if (values.hcpcs === undefined || values.units === undefined || values.dos === undefined) throw new UsageError("codes price needs --hcpcs, --units and --dos");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(values.dos)) throw new UsageError(`--dos "${values.dos}" is not YYYY-MM-DD`);
      const contract: ContractTerms | undefined = values.rate !== undefined ? { kind: "fee-schedule", rate: values.rate }
        : values["percent-of-asp"] !== undefined ? { kind: "asp-percent", percentOfAsp: Number(values["percent-of-asp"]) } : undefined;
      return expectedPayment(tables().asp, {
        hcpcs: values.hcpcs.toUpperCase(), units: Number(values.units), dateOfService: values.dos, payerType: payer.data,
        deductibleRemaining: values.deductible, coinsurancePercent: values.coinsurance === undefined ? undefined : Number(values.coinsurance), contract,
      });
    }
    case "admin": {
      const { values } = parseArgs({ args, options: { events: { type: "string" }, "distinct-modifier": { type: "string" } }, strict: true });
      if (values.events === undefined) throw new UsageError("codes admin needs --events FILE.json");
      let json: unknown;
      try {
        json = JSON.parse(await readFile(values.events, "utf8"));
      } catch (error) {
        throw new UsageError(`cannot read ${values.events}: ${(error as Error).message}`);
      }
      const parsed = Events.safeParse(json);
      if (!parsed.success) throw new UsageError(`${values.events}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return deriveAdministrationCodes(parsed.data.events, { distinctModifier: values["distinct-modifier"] === "XU" ? "XU" : "59" });
    }
    case "carc":
    case "rarc": {
      const [code, extra] = args;
      if (code === undefined || extra !== undefined) throw new UsageError(`codes ${action} needs exactly one code`);
      const t = tables().adjustments;
      if (action === "rarc") {
        const description = t.remark(code);
        if (description === null) throw new UsageError(`RARC ${code} is not in the table`);
        return { code: code.toUpperCase(), description };
      }
      const info = t.reason(code);
      if (info === null) throw new UsageError(`CARC ${code} is not in the table`);
      return info;
    }
    default:
      io.stderr.write(`${USAGE}\n`);
      throw new UsageError(`unknown codes subcommand "${action}"`);
  }
}

export const codesCommand: CliCommand = {
  name: "codes",
  summary: "Drug units, NDC, ASP pricing, administration codes, CARC/RARC",
  usage: USAGE,
  run: async (args, io) => {
    const [action, ...rest] = args;
    if (action === undefined) {
      io.stderr.write(`${USAGE}\n`);
      return EXIT.BAD_INPUT;
    }
    let loaded: CodingTables | undefined;
    const tables = () => (loaded ??= loadCodingTables());
    try {
      writeJson(io.stdout, await run(action, rest, tables, io));
      return EXIT.OK;
    } catch (error) {
      if (error instanceof UsageError || error instanceof AppError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
        io.stderr.write(`codes ${action}: ${(error as Error).message}\n`);
        return EXIT.BAD_INPUT;
      }
      throw error;
    }
  },
};
