/**
 * `infusion-rcm eligibility interpret FILE|- --dos YYYY-MM-DD [--service-type CODE] [--network in|out]`
 * reads a 271 the way the eligibility agent does (the same code: `tools/payer/eligibility/`) and
 * prints one JSON entry per transaction and subject it answers about. Exit 0; 2 when the input is
 * not a 271 (or the usage is wrong).
 */
import { parseArgs } from "node:util";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { Eligibility271 } from "../../../tools/edi/readers/eligibility-271.js";
import { NotX12Error } from "../../../tools/edi/tokenizer.js";
import { infusionServiceTypes, serviceTypesFor } from "../../../tools/payer/eligibility/accumulators.js";
import { interpretEverySubject } from "../../../tools/payer/eligibility/interpret-271.js";
import type { EligibilityInterpretation } from "../../../tools/payer/eligibility/interpretation.js";
import { EXIT, writeJson, type CliCommand } from "../command.js";
import { readInput } from "../read-input.js";

const USAGE = `usage:
  infusion-rcm eligibility interpret FILE|- --dos YYYY-MM-DD [--service-type CODE] [--network in|out]

Prints, for each 271 transaction and each subscriber or dependent it answers about:
  controlNumber, trace, subject, status (active | inactive | undetermined | rejected), finding, reason,
  planBegin, planEnd, deductibleRemaining, outOfPocketRemaining, coinsurancePercent,
  rejections [{ loop, code, meaning, followUp }], evidence [{ segment, position }].
--service-type: the visit's service type (EB03), default an infusion: 78, then 50/98, 1, 30.
--network: the clinic's network status with the payer, default in.
Exit 0; 2 when the input is not a 271 or the usage is wrong.`;

/** The entry printed for an interpretation, in the documented key order. */
function entry(i: EligibilityInterpretation) {
  return {
    controlNumber: i.controlNumber, trace: i.trace, subject: i.subject, status: i.status, finding: i.finding, reason: i.reason,
    planName: i.planName, planBegin: i.planBegin, planEnd: i.planEnd, answerPeriod: i.answerPeriod,
    deductibleRemaining: i.deductibleRemaining, deductibleBasis: i.deductibleBasis, outOfPocketRemaining: i.outOfPocketRemaining,
    outOfPocketBasis: i.outOfPocketBasis, coinsurancePercent: i.coinsurancePercent, rejections: i.rejections, evidence: i.evidence,
  };
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

export const eligibilityCommand: CliCommand = {
  name: "eligibility",
  summary: "Interpret a 271 for a date of service, as the eligibility agent does",
  usage: USAGE,
  run: async (args, io) => {
    const fail = (message: string) => {
      io.stderr.write(`eligibility: ${message}\n`);
      return EXIT.BAD_INPUT;
    };
    const [action, ...rest] = args;
    if (action !== "interpret") return fail(`expected "interpret FILE|- --dos YYYY-MM-DD"\n${USAGE}`);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { dos: { type: "string" }, "service-type": { type: "string" }, network: { type: "string" } } });
    } catch (error) {
      return fail((error as Error).message);
    }
    const { values, positionals } = parsed;
    const [source, extra] = positionals;
    if (source === undefined || extra !== undefined) return fail(`expected one FILE or -\n${USAGE}`);
    if (values.dos === undefined || !isDate(values.dos)) return fail(`--dos ${values.dos === undefined ? "is required" : `"${values.dos}" is not a YYYY-MM-DD date`}`);
    const network = values.network ?? "in";
    if (network !== "in" && network !== "out") return fail(`--network must be in or out, not "${network}"`);
    const serviceType = values["service-type"];
    if (serviceType !== undefined && !/^[A-Z0-9]{1,2}$/.test(serviceType)) return fail(`--service-type "${serviceType}" is not an EB03 service type code`);
    let text: string;
    try {
      text = await readInput(source, io);
    } catch (error) {
      return fail(`cannot read ${source}: ${(error as Error).message}`);
    }
    let read: ReturnType<typeof parseX12>;
    try {
      read = parseX12(text);
    } catch (error) {
      if (error instanceof NotX12Error) return fail(`not a 271: not X12 (${error.message})`);
      throw error;
    }
    const answers = read.transactions.filter((t) => t.type === "271");
    if (answers.length === 0) return fail(`not a 271: the input holds ${read.transactions.map((t) => t.type).join(", ") || "no transaction set"}`);
    const options = { dateOfService: values.dos, network: network as "in" | "out", serviceTypes: serviceType === undefined ? infusionServiceTypes() : serviceTypesFor(serviceType) } as const;
    if (read.issues.length > 0) io.stderr.write(`eligibility: ${read.issues.length} X12 issue(s), e.g. ${read.issues[0]?.code ?? ""} ${read.issues[0]?.message ?? ""} (x12 validate lists them)\n`);
    writeJson(io.stdout, answers.flatMap((t) => interpretEverySubject(t.data as Eligibility271, t.controlNumber, options).map(entry)));
    return EXIT.OK;
  },
};
