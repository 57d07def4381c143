/**
 * The transaction-set grammar (tools/edi/grammar): segment ids the set defines, loops with their
 * required segments and required child loops, required elements, and one REF per qualifier in a
 * loop. Every finding carries segment index, id and byte offset; `x12 validate` exits 1.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { iterateTransactions, type Transaction } from "../../../tools/edi/envelope.js";
import { readChecked } from "../../../tools/edi/grammar/index.js";
import type { X12Issue } from "../../../tools/edi/issues.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { SegmentCursor } from "../../../tools/edi/tokenizer.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { write270 } from "../../../tools/edi/writers/eligibility.js";
import { runCliCaptured } from "../../helpers/cli.js";
import { officeClaim } from "./claims.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 1, groupControl: 1, now: new Date("2026-03-03T14:05:00Z") };
const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };
const claim = write837([officeClaim], parties, envelope);
const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/x12");

/** The segment index of the n-th (0-based) segment starting with `prefix` in `text` (one segment per line). */
function segmentAt(text: string, prefix: string, n = 0): { index: number; offset: number } {
  const lines = text.split("\n");
  let seen = 0;
  let offset = 0;
  for (let i = 0; i < lines.length; i += 1) {
    if (lines[i]!.startsWith(prefix) && seen++ === n) return { index: i, offset };
    offset += lines[i]!.length + 1;
  }
  throw new Error(`no ${prefix}`);
}

async function validateExit(text: string): Promise<number> {
  return (await runCliCaptured(["x12", "validate", "-"], text)).code;
}

describe("grammar: segment ids", () => {
  it.each([
    ["PER*IC*B*TE*5555550100~", "*IC*B*TE*5555550100~", ""],
    ["N4*Springfield*IL*62701~", "Nd4*Springfield*IL*62701~", "Nd4"],
    ["NM1*PR*2*", "NM31*PR*2*", "NM31"],
  ])("%s mutated to %s: an unrecognized segment id, at its index and offset; validate exits 1", async (from, to, id) => {
    const text = claim.replace(from, to);
    const at = segmentAt(text, to.slice(0, 4));
    const { issues } = parseX12(text);
    expect(issues).toContainEqual(expect.objectContaining({ code: "SEGMENT_ID_UNRECOGNIZED", segmentId: id, segmentIndex: at.index, byteOffset: at.offset, transactionControlNumber: "0001" }));
    expect(await validateExit(text)).toBe(1);
  });

  it("a well-formed id from another transaction set (CLP in an 837) is not in the set", () => {
    const text = claim.replace("LX*1~", "CLP*X*1*1*1~\nLX*1~").replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) + 1}*`);
    expect(parseX12(text).issues).toEqual([expect.objectContaining({ code: "SEGMENT_NOT_IN_SET", segmentId: "CLP", segmentIndex: segmentAt(text, "CLP").index })]);
  });
});

describe("grammar: required elements", () => {
  it("NM102 missing (billing provider) is ELEMENT_MISSING at NM1 element 2; validate exits 1", async () => {
    const text = claim.replace("NM1*85*2*", "NM1*85**");
    const at = segmentAt(text, "NM1*85");
    expect(parseX12(text).issues).toEqual([expect.objectContaining({ code: "ELEMENT_MISSING", segmentId: "NM1", elementPosition: 2, segmentIndex: at.index, byteOffset: at.offset })]);
    expect(await validateExit(text)).toBe(1);
  });

  it("CLM05 missing is ELEMENT_MISSING at CLM element 5", () => {
    const text = claim.replace("*11:B:1*", "**");
    expect(parseX12(text).issues).toContainEqual(expect.objectContaining({ code: "ELEMENT_MISSING", segmentId: "CLM", elementPosition: 5, segmentIndex: segmentAt(text, "CLM").index }));
  });

  it("a required component (CLM05-3 claim frequency) missing is COMPONENT_MISSING", () => {
    const text = claim.replace("*11:B:1*", "*11:B*");
    expect(parseX12(text).issues).toEqual([expect.objectContaining({ code: "COMPONENT_MISSING", segmentId: "CLM", elementPosition: 5, componentPosition: 3 })]);
  });

  it("TRN03 (originating company identifier) must be exactly 10 characters (270 2000C TRN03, AN 10/10)", () => {
    const text = write270({ trace: "T1", payer: { name: "P", id: "SBCOM1" }, provider: { name: "C", npi: "1234567893" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M", birthDate: null }, dateOfService: null, serviceTypes: ["30"], procedures: [] }, envelope)
      .replace(/TRN\*1\*T1\*[^~]*~/, "TRN*1*T1*9INFUSRCM~");
    expect(parseX12(text).issues).toEqual([expect.objectContaining({ code: "ELEMENT_INVALID", segmentId: "TRN", elementPosition: 3 })]);
  });
});

describe("grammar: loops", () => {
  it("a missing 2010AA (billing provider name) is LOOP_MISSING at its 2000A HL; validate exits 1", async () => {
    const text = claim.replace(/NM1\*85\*[^~]*~\nN3\*[^~]*~\nN4\*[^~]*~\nREF\*EI\*[^~]*~\n/, "").replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) - 4}*`);
    const hl = segmentAt(text, "HL*1*");
    const { issues } = parseX12(text);
    expect(issues).toEqual([expect.objectContaining({ code: "LOOP_MISSING", segmentId: "HL", segmentIndex: hl.index, byteOffset: hl.offset })]);
    expect(issues[0]!.message).toMatch(/2010AA/);
    expect(await validateExit(text)).toBe(1);
  });

  it("a required segment of a loop missing (2010AA N4) is SEGMENT_MISSING at the loop's first segment", () => {
    const text = claim.replace(/(NM1\*85\*[^~]*~\nN3\*[^~]*~\n)N4\*[^~]*~\n/, "$1").replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) - 1}*`);
    expect(parseX12(text).issues).toEqual([expect.objectContaining({ code: "SEGMENT_MISSING", segmentId: "NM1", segmentIndex: segmentAt(text, "NM1*85").index })]);
  });

  it("a claim without service lines (2400) is LOOP_MISSING at its CLM", () => {
    const text = claim.replace(/LX\*1~[\s\S]*?(?=SE\*)/, "").replace(/SE\*(\d+)\*/, "SE*99*");
    expect(parseX12(text).issues).toContainEqual(expect.objectContaining({ code: "LOOP_MISSING", segmentId: "CLM" }));
  });
});

describe("grammar: one REF per qualifier in a loop", () => {
  it("a second REF*G1 in the same 2300 claim loop is SEGMENT_REPEATED at the second REF; validate exits 1", async () => {
    const text = claim.replace("REF*G1*SBA000123456~", "REF*G1*SBA000123456~\nREF*G1*SBA000999999~").replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) + 1}*`);
    const second = segmentAt(text, "REF*G1", 1);
    expect(parseX12(text).issues).toEqual([expect.objectContaining({ code: "SEGMENT_REPEATED", segmentId: "REF", segmentIndex: second.index, byteOffset: second.offset, elementPosition: 1 })]);
    expect(await validateExit(text)).toBe(1);
  });

  it("the same qualifier in two different loops is fine (REF*6R on two service lines)", () => {
    expect(parseX12(claim).issues).toEqual([]);
    expect(claim.match(/REF\*6R/g)?.length ?? 0).toBeLessThan(2);
    const text = write837([{ ...officeClaim, lines: officeClaim.lines!.map((l, i) => ({ ...l, lineControlNumber: `L${i + 1}` })) }], parties, envelope);
    expect(text.match(/REF\*6R/g)).toHaveLength(4);
    expect(parseX12(text).issues).toEqual([]);
  });
});

describe("grammar: every set we read", () => {
  const cases: [string, string, string][] = [
    ["hand-denials.835", "CLP*", "835"], ["hand-accumulators.271", "EB*", "271"], ["subscriber-health-benefit-check.270", "EQ*", "270"],
    ["hand-certified.278", "UM*", "278"], ["claim-level-status.277", "STC*", "277"], ["hand-claim-ack.277", "STC*", "277"], ["institutional-claim.837i", "SV2*", "837"],
  ];
  it.each(cases)("%s: an id from no set (ZZ9) is SEGMENT_NOT_IN_SET", (file, before) => {
    const text = readFileSync(path.join(FIXTURES, file), "latin1");
    const mutated = text.replace(before, `ZZ9*X~${before}`);
    expect(parseX12(mutated).issues).toContainEqual(expect.objectContaining({ code: "SEGMENT_NOT_IN_SET", segmentId: "ZZ9" }));
  });

  it("a 276 (read by no typed reader) is still checked: clean as the X212 shapes it, LOOP_MISSING without its subscriber name", () => {
    const body = ["ST*276*0001*005010X212", "BHT*0010*13*STATUS1*20260305*1030", "HL*1**20*1", "NM1*PR*2*SANDBOX COMMERCIAL HEALTH*****PI*SBCOM1",
      "HL*2*1*21*1", "NM1*41*2*SANDBOX INFUSION CENTER*****46*SBXSUB", "HL*3*2*19*1", "NM1*1P*2*SANDBOX INFUSION CENTER*****XX*1234567893",
      "HL*4*3*22*0", "DMG*D8*19550402*F", "NM1*IL*1*TESTPERSON*ALEX****MI*W123456789", "TRN*1*STATUS-TRACE-1", "REF*EJ*SBX-CLM-0001",
      "AMT*T3*16950.00", "DTP*472*RD8*20260302-20260302"];
    const text = (segments: string[]) => ["ISA*00*          *00*          *ZZ*INFUSIONRCM    *ZZ*SANDBOXPAYER   *260305*1030*^*00501*000000601*0*T*:",
      "GS*HR*INFUSIONRCM*SANDBOXPAYER*20260305*1030*601*X*005010X212", ...segments, `SE*${segments.length + 1}*0001`, "GE*1*601", "IEA*1*000000601"].join("~\n") + "~\n";
    expect(parseX12(text(body)).issues).toEqual([expect.objectContaining({ code: "UNSUPPORTED_TRANSACTION", severity: "warning" })]);
    const broken = text(body.filter((s) => !s.startsWith("NM1*IL")));
    expect(parseX12(broken).issues).toContainEqual(expect.objectContaining({ code: "LOOP_MISSING", segmentId: "HL", message: expect.stringMatching(/2100D/) }));
  });

  it("a 999 with an unknown segment and an AK2 loop without IK5", () => {
    const text = ["ISA*00*          *00*          *ZZ*SANDBOXPAYER   *ZZ*INFUSIONRCM    *260310*0930*^*00501*000000401*0*T*:~",
      "GS*FA*SANDBOXPAYER*INFUSIONRCM*20260310*0930*401*X*005010X231A1~", "ST*999*0001*005010X231A1~", "AK1*HC*17*005010X222A1~",
      "AK2*837*0001*005010X222A1~", "IK9*A~", "AK9*A*1*1*1~", "SE*6*0001~", "GE*1*401~", "IEA*1*000000401~"].join("\n");
    const codes = parseX12(text).issues.map((i) => `${i.code}:${i.segmentId}`);
    expect(codes).toEqual(expect.arrayContaining(["SEGMENT_NOT_IN_SET:IK9", "SEGMENT_MISSING:AK2"]));
  });
});

describe("grammar: checked in the reader's walk", () => {
  // Problems at the start (N1*PR without N102), across a loop close (1000A without N4, reported at
  // its N1 when 1000B opens), in the middle (CLP01, which the reader reports too) and at the end (LQ02).
  const text = readFileSync(path.join(FIXTURES, "hand-denials.835"), "latin1")
    .replace("N1*PR*SANDBOX COMMERCIAL HEALTH*", "N1*PR**").replace("N4*SPRINGFIELD*IL*62701~", "N3*SPRINGFIELD~")
    .replace("CLP*CLM-NDC-2*", "CLP**").replace("LQ*HE*N115~", "LQ*HE*~");
  const checkedWith = (read: (tx: Transaction) => void): X12Issue[] => {
    const issues: X12Issue[] = [];
    const [tx] = [...iterateTransactions(text, [])];
    readChecked(tx!, issues, read);
    return issues;
  };
  const walk = (cursor: SegmentCursor, segments = Infinity) => {
    for (let i = 0; i < segments && cursor.next() !== null; i += 1);
  };

  it("a reader that walks all, part, twice or none of the transaction gets the same grammar issues", () => {
    const alone = checkedWith(() => undefined);
    expect(alone.map((i) => `${i.code} ${i.segmentId}${i.elementPosition ?? ""}@${i.segmentIndex}`)).toEqual([
      "ELEMENT_MISSING N12@6", "SEGMENT_MISSING N1@6", "ELEMENT_MISSING CLP1@18", "ELEMENT_MISSING LQ2@39",
    ]);
    expect(checkedWith((tx) => walk(tx.scan()))).toEqual(alone);
    for (const part of [1, 7, 8, 20, 40]) expect(checkedWith((tx) => walk(tx.scan(), part)), `${part} segments`).toEqual(alone);
    expect(checkedWith((tx) => {
      walk(tx.scan(), 12);
      walk(tx.scan());
    })).toEqual(alone);
    expect(checkedWith((tx) => void tx.segments)).toEqual(alone);
  });

  it("an element the reader reports missing is reported once, the reader's issue first", () => {
    const { issues } = parseX12(text);
    expect(issues.filter((i) => i.segmentId === "CLP" && i.elementPosition === 1)).toEqual([expect.objectContaining({ code: "ELEMENT_MISSING", message: expect.stringMatching(/patient control number/) })]);
    expect(issues.map((i) => `${i.segmentId}${i.elementPosition ?? ""}`)).toEqual(["CLP1", "N12", "N1", "LQ2"]);
  });
});
