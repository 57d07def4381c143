/** `infusion-rcm data import|list` — the CMS quarterly files in the configured database. */
import path from "node:path";
import { parseArgs } from "node:util";
import { CmsFileKind, parseCmsFile } from "../../../tools/coding/cms-files.js";
import { CodeEditFileKind, EditSettingSchema, parseCodeEditFile } from "../../../tools/coding/code-edit-import.js";
import { readDataFileBytes } from "../../../tools/coding/csv-file.js";
import { AppError } from "../../../tools/errors.js";
import { listCmsFiles, storeCmsFile } from "../../reference-data/cms-file-store.js";
import { listCodeEditFiles, storeCodeEditFile } from "../../reference-data/code-edit-store.js";
import { EXIT, writeJson, type CliCommand, type CliIo } from "../command.js";
import { withConfiguredDatabase } from "./database-access.js";

const USAGE = `usage:
  infusion-rcm data import asp|crosswalk FILE [--quarter 2026Q4]
  infusion-rcm data import ncci-ptp|mue FILE --quarter 2026Q4 [--setting practitioner|hospital] [--part f1]
  infusion-rcm data list [--all]

import loads a CMS quarterly file into the database, as downloaded (unzipped) from CMS's
"ASP Pricing Files" page: asp = the payment limit file, crosswalk = the ASP NDC-HCPCS
crosswalk. The whole file is validated first (preamble with its effective dates, one calendar
quarter, required columns, every row); an invalid file is refused with its line and column and
nothing is written. The same file again changes nothing; another file for a loaded quarter
replaces it. --quarter refuses a file for any other quarter. Prints the import as JSON.

ncci-ptp = an NCCI procedure-to-procedure edit file (CMS's tab-delimited .txt, or the .xlsx saved
as CSV), mue = a Medically Unlikely Edits table (CSV), both from CMS's NCCI pages; --quarter names
the quarter the file is for. The setting (practitioner for 837P, hospital for 837I outpatient) is
read from the MUE header or the file name (ccipra-… / ccioph-…) unless --setting says it; a PTP
table CMS splits into parts is imported part by part (the part, f1 …, from the file name or
--part). Claims are checked against the quarter in force on their date of service; the samples
shipped with the service apply where no quarter is imported.
list prints the files in force (--all: with those replaced).

A running service picks up an imported quarter within CMS_FILES_CHECK_MS. With the embedded
database (no DATABASE_URL) stop the service first — PGlite is one process — or upload the file
to it: POST /v1/data/imports?kind=asp (see the README).`;

export const dataCommand: CliCommand = {
  name: "data",
  summary: "Import and list the CMS quarterly files (ASP payment limits, NDC-HCPCS crosswalk, NCCI PTP, MUE)",
  usage: USAGE,
  run: async (args, io) => {
    const [action, ...rest] = args;
    try {
      switch (action) {
        case "import":
          return await importFile(rest, io);
        case "list":
          return await list(rest, io);
        default:
          io.stderr.write(`data: expected import or list\n${USAGE}\n`);
          return EXIT.BAD_INPUT;
      }
    } catch (error) {
      if (error instanceof AppError && error.code === "UNAVAILABLE" && /in use by process/.test(error.message)) {
        io.stderr.write(`data ${action}: ${error.message}.\nThe embedded database is single-process: stop the service first, ` +
          "or upload the file to it: POST /v1/data/imports?kind=asp|crosswalk|ncci-ptp|mue (see the README).\n");
        return EXIT.BAD_INPUT;
      }
      if (error instanceof AppError && error.status < 500) {
        io.stderr.write(`data ${action}: ${error.message}\n`);
        return EXIT.BAD_INPUT;
      }
      if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
        io.stderr.write(`data ${action}: ${(error as Error).message}\n${USAGE}\n`);
        return EXIT.BAD_INPUT;
      }
      throw error;
    }
  },
};

async function importFile(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args, options: { quarter: { type: "string" }, setting: { type: "string" }, part: { type: "string" } }, allowPositionals: true, strict: true,
  });
  const [kindArg, file, extra] = positionals;
  const editKind = CodeEditFileKind.safeParse(kindArg);
  const kind = CmsFileKind.safeParse(kindArg);
  if ((!kind.success && !editKind.success) || file === undefined || extra !== undefined) {
    io.stderr.write(`data import: give the kind (asp, crosswalk, ncci-ptp or mue) and one file\n${USAGE}\n`);
    return EXIT.BAD_INPUT;
  }
  if (values.quarter !== undefined && !/^\d{4}Q[1-4]$/.test(values.quarter)) {
    io.stderr.write(`data import: --quarter must be a quarter such as 2026Q4, not "${values.quarter}"\n`);
    return EXIT.BAD_INPUT;
  }
  if (editKind.success) return importCodeEdits(editKind.data, file, values, io);
  if (!kind.success) return EXIT.BAD_INPUT;
  if (values.setting !== undefined || values.part !== undefined) {
    io.stderr.write("data import: --setting and --part are for ncci-ptp and mue files\n");
    return EXIT.BAD_INPUT;
  }
  // Read and validated before the database is opened: a bad file never waits on (or locks) it.
  const parsed = parseCmsFile(kind.data, readDataFileBytes(file), path.basename(file), values.quarter);
  const result = await withConfiguredDatabase((db) => storeCmsFile(db.pool, parsed, "cli", new Date()));
  writeJson(io.stdout, result);
  if (result.file.skipped.length > 0) io.stderr.write(`data import: ${result.file.skipped.length} row(s) left out: ${result.file.skipped.map((s) => `line ${s.line}: ${s.reason}`).join("; ")}\n`);
  return EXIT.OK;
}

async function importCodeEdits(kind: CodeEditFileKind, file: string, values: { quarter?: string; setting?: string; part?: string }, io: CliIo): Promise<number> {
  if (values.quarter === undefined) {
    io.stderr.write(`data import ${kind}: --quarter is required (CMS's NCCI files do not state their quarter): e.g. --quarter 2026Q4\n`);
    return EXIT.BAD_INPUT;
  }
  const setting = values.setting === undefined ? undefined : EditSettingSchema.safeParse(values.setting);
  if (setting !== undefined && !setting.success) {
    io.stderr.write(`data import ${kind}: --setting must be practitioner or hospital, not "${values.setting}"\n`);
    return EXIT.BAD_INPUT;
  }
  const parsed = parseCodeEditFile(kind, readDataFileBytes(file), path.basename(file), { quarter: values.quarter, setting: setting?.data, part: values.part });
  const result = await withConfiguredDatabase((db) => storeCodeEditFile(db.pool, parsed, "cli", new Date()));
  writeJson(io.stdout, result);
  return EXIT.OK;
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { all: { type: "boolean" } }, strict: true });
  const options = { includeReplaced: values.all === true };
  const { files, codeEditFiles } = await withConfiguredDatabase(async (db) => ({
    files: await listCmsFiles(db.pool, options), codeEditFiles: await listCodeEditFiles(db.pool, options),
  }));
  writeJson(io.stdout, { files, codeEditFiles });
  return EXIT.OK;
}
