/**
 * `npm run bench:x12` — throughput of the X12 toolkit on a deterministic 835 batch (≥ 50 MB,
 * ≥ 100k claims), with node-x12 parsing the same input in the same run as the baseline.
 * Options: --mb N (default 55) for the batch size.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import nodeX12 from "node-x12";
import { iterateSegments } from "../../tools/edi/tokenizer.js";
import { iterateX12 } from "../../tools/edi/parse.js";
import type { X12Issue } from "../../tools/edi/issues.js";
import type { Remittance835 } from "../../tools/edi/readers/remittance-835.js";

const { values } = parseArgs({ options: { mb: { type: "string", default: "55" }, "skip-baseline": { type: "boolean", default: false } } });
const targetBytes = Number(values.mb) * 1024 * 1024;

/** A deterministic 835 batch: transactions of 1,000 claims, two drug/administration lines each. */
function generate835(bytes: number): { text: string; claims: number } {
  const parts: string[] = [];
  let size = 0;
  let claims = 0;
  let tx = 0;
  parts.push("ISA*00*          *00*          *ZZ*SANDBOXPAYER   *ZZ*INFUSIONRCM    *260310*0930*^*00501*000000001*0*T*:~\n");
  parts.push("GS*HP*SANDBOXPAYER*INFUSIONRCM*20260310*0930*1*X*005010X221A1~\n");
  while (size < bytes) {
    tx += 1;
    const body: string[] = [];
    let paidTotal = 0;
    for (let i = 0; i < 1000; i += 1) {
      claims += 1;
      const n = claims;
      const units = 100 + (n % 300);
      const drugCharge = units * 73;
      const drugPaid = Math.round(drugCharge * 0.8 * 100) / 100;
      const adminPaid = 180.5;
      const claimPaid = Math.round((drugPaid + adminPaid) * 100) / 100;
      paidTotal += claimPaid;
      body.push(
        `CLP*SBX${String(n).padStart(9, "0")}*1*${(drugCharge + 220).toFixed(2)}*${claimPaid.toFixed(2)}*${(drugCharge - drugPaid).toFixed(2)}*12*PCN${n}~`,
        `NM1*QC*1*PATIENT${n % 977}*SYNTHETIC****MI*W${String(100000000 + n)}~`,
        `SVC*HC:J9035*${drugCharge.toFixed(2)}*${drugPaid.toFixed(2)}**${units}~`, "DTM*472*20260302~",
        `CAS*PR*2*${(drugCharge - drugPaid).toFixed(2)}~`, `REF*6R*L${n}A~`,
        `SVC*HC:96413*220.00*${adminPaid.toFixed(2)}**1~`, "DTM*472*20260302~", `CAS*CO*45*${(220 - adminPaid).toFixed(2)}~`,
      );
    }
    const header = [`ST*835*${String(tx).padStart(4, "0")}~`, `BPR*I*${paidTotal.toFixed(2)}*C*ACH*CCP*01*999999999*DA*1234*1999999999**01*888888888*DA*4321*20260310~`,
      `TRN*1*EFT${tx}*1999999999~`, "DTM*405*20260310~", "N1*PR*SANDBOX COMMERCIAL HEALTH*XV*SBCOM1~", "N1*PE*SANDBOX INFUSION CENTER*XX*1234567893~", "LX*1~"];
    const segs = [...header, ...body];
    const text = `${segs.join("\n")}\nSE*${segs.length + 1}*${String(tx).padStart(4, "0")}~\n`;
    parts.push(text);
    size += text.length;
  }
  parts.push(`GE*${tx}*1~\n`, "IEA*1*000000001~\n");
  return { text: parts.join(""), claims };
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
const rssMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

const { text, claims } = generate835(targetBytes);
const sizeMb = text.length / 1024 / 1024;
console.log(`input: ${mb(text.length)} MB, ${claims.toLocaleString("en-US")} claims (generated deterministically)`);

let t = performance.now();
let segments = 0;
for (const _ of iterateSegments(text)) segments += 1;
const tokenizeS = (performance.now() - t) / 1000;
console.log(`tokenize:         ${(sizeMb / tokenizeS).toFixed(1)} MB/s  (${segments.toLocaleString("en-US")} segments in ${tokenizeS.toFixed(2)} s)`);

t = performance.now();
const issues: X12Issue[] = [];
let readClaims = 0;
for (const tx of iterateX12(text, issues)) readClaims += (tx.data as Remittance835).claims.length;
const readS = (performance.now() - t) / 1000;
console.log(`typed 835 read:   ${(sizeMb / readS).toFixed(1)} MB/s  (${readClaims.toLocaleString("en-US")} claims, ${issues.length} issues, ${readS.toFixed(2)} s, validated with zod, balancing checked)`);
console.log(`peak RSS so far:  ${rssMb()} MB`);

if (!values["skip-baseline"]) {
  const { X12Parser } = nodeX12 as unknown as { X12Parser: new (strict: boolean) => { parse(text: string): unknown } };
  t = performance.now();
  new X12Parser(false).parse(text);
  const baselineS = (performance.now() - t) / 1000;
  console.log(`node-x12 parse:   ${(sizeMb / baselineS).toFixed(1)} MB/s  (${baselineS.toFixed(2)} s, untyped segment objects)`);
  console.log(`ratio (typed read / node-x12): ${(baselineS / readS).toFixed(1)}x`);
  console.log(`peak RSS (incl. node-x12): ${rssMb()} MB`);
}
