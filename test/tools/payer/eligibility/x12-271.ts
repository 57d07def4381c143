/** Builds small 271 interchanges from segments, for the interpretation's rule tests (read back, so positions are real). */
import { parseX12 } from "../../../../tools/edi/parse.js";
import type { Eligibility271 } from "../../../../tools/edi/readers/eligibility-271.js";
import { infusionServiceTypes } from "../../../../tools/payer/eligibility/accumulators.js";
import { interpretEverySubject, type InterpretOptions } from "../../../../tools/payer/eligibility/interpret-271.js";

const ISA = "ISA*00*          *00*          *ZZ*SANDBOXPAYER   *ZZ*INFUSIONRCM    *260225*0800*^*00501*000000201*0*T*:~";

/** Payer and receiver loops. */
export const HEAD = ["HL*1**20*1", "NM1*PR*2*SANDBOX COMMERCIAL*****PI*SBCOM1", "HL*2*1*21*1", "NM1*1P*2*SANDBOX INFUSION CENTER*****XX*1234567893"];

/** A subscriber loop (2000C/2100C) for DOE, JANE, member W1, born 1960-01-01, trace T1, followed by `rest`. */
export const subscriber = (rest: string[], children = "0") => [`HL*3*2*22*${children}`, "TRN*2*T1*9123456789", "NM1*IL*1*DOE*JANE****MI*W1", "DMG*D8*19600101*F", ...rest];

/** One 271 transaction set (ST … SE) around `body`. */
export function transaction(body: string[], control = "0001"): string {
  const segments = [`ST*271*${control}*005010X279A1`, "BHT*0022*11*0001*20260225*0800", ...body];
  return `${[...segments, `SE*${segments.length + 1}*${control}`].join("~")}~`;
}

/** An interchange holding the transaction sets. */
export function interchange(...sets: string[]): string {
  return `${ISA}GS*HB*SANDBOXPAYER*INFUSIONRCM*20260225*0800*201*X*005010X279A1~${sets.join("")}GE*${sets.length}*201~IEA*1*000000201~`;
}

/** The 271 of a one-transaction interchange with `body`, read. */
export function read271(body: string[]): Eligibility271 {
  const { transactions, issues } = parseX12(interchange(transaction(body)));
  if (issues.length > 0) throw new Error(`test 271 has issues: ${issues.map((i) => i.message).join("; ")}`);
  return transactions[0]!.data as Eligibility271;
}

/** The visit the rule tests ask about. */
export const VISIT: InterpretOptions = { dateOfService: "2026-03-06", network: "in", serviceTypes: infusionServiceTypes("physician-office") };

/** The interpretation of the first subject a 271 with `body` answers about. */
export function interpret(body: string[], options: Partial<InterpretOptions> = {}) {
  return interpretEverySubject(read271(body), "0001", { ...VISIT, ...options })[0]!;
}
