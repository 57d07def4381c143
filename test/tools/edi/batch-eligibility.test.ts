import { describe, expect, it } from "vitest";
import { BadInputError } from "../../../tools/errors.js";
import { iterateTransactions, transactionText } from "../../../tools/edi/envelope.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { Eligibility271 } from "../../../tools/edi/readers/eligibility-271.js";
import type { EligibilityRequest270 } from "../../../tools/edi/readers/request-270.js";
import { batchControl, write270, write270Batch, write271, write271Batch } from "../../../tools/edi/writers/eligibility.js";
import { oracleCounts } from "./oracle.js";
import { withoutPositions } from "./without-positions.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SBCOM1", interchangeControl: 42, groupControl: 42, now: new Date("2026-03-03T14:05:00Z") };

const request = (n: number, over: Partial<EligibilityRequest270> = {}): EligibilityRequest270 => ({
  trace: `E${String(n).padStart(6, "0")}`, payer: { name: "SANDBOX COMMERCIAL", idQualifier: "PI", id: "SBCOM1" }, provider: { name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", npi: "1234567893" },
  subscriber: { lastName: "TESTPERSON", firstName: `ALEX${n}`, memberId: `W${String(n).padStart(9, "0")}`, birthDate: "1955-04-02" },
  dateOfService: "2026-03-09", serviceTypes: ["30", "1", "78", "50"], procedures: n % 2 === 0 ? ["J9271"] : ["J9299", "J2506"], ...over,
});

const answer = (n: number): Eligibility271 => ({
  informationSource: { name: "SANDBOX COMMERCIAL", idQualifier: "PI", id: "SBCOM1", rejections: [] },
  receiver: { name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", rejections: [] },
  subjects: [{ level: "subscriber", lastName: "TESTPERSON", firstName: `ALEX${n}`, idQualifier: "MI", memberId: `W${n}`, birthDate: null, gender: null, relationship: null,
    traces: [{ type: "2", number: `E${n}`, originatorId: "9123456789" }], rejections: n === 2 ? [{ valid: "N", code: "75", followUp: "C" }] : [], dates: [],
    coverageActive: null, planName: null, benefits: [] }],
  rejections: n === 2 ? [{ valid: "N", code: "75", followUp: "C", loop: "2100C" }] : [],
});

/** Reads back, checking our validator and node-x12's strict parser both find it clean. */
function read(text: string) {
  const { transactions, issues } = parseX12(text);
  expect(issues).toEqual([]);
  return { transactions, oracle: oracleCounts(text) };
}

describe("batch 270/271 writers", () => {
  it("a batch 270 is one ISA/GS with an ST … SE per request (ST02 0001 …), reading back to the requests", () => {
    const requests = Array.from({ length: 120 }, (_, n) => request(n, n === 7 ? { trace: null, subscriber: { lastName: "NOTRACE", firstName: null, memberId: "W7", birthDate: null }, dateOfService: null, procedures: [] } : {}));
    const text = write270Batch(requests, envelope);
    const { transactions, oracle } = read(text);
    expect(transactions.map((t) => t.data)).toEqual(requests);
    expect(transactions.map((t) => t.controlNumber)).toEqual(requests.map((_, n) => batchControl(n)));
    expect(new Set(transactions.map((t) => t.controlNumber)).size).toBe(120);
    expect(oracle).toHaveLength(120);
    expect(text.match(/^ISA\*/gm)).toHaveLength(1);
    expect(text.match(/^GS\*HS\*/gm)).toHaveLength(1);
    expect(text).toMatch(/^GE\*120\*42~\nIEA\*1\*000000042~\n$/m);
    // BHT03 is the trace, or the set's control number when there is none.
    expect(text).toContain("ST*270*0008*005010X279A1~\nBHT*0022*13*0008*");
  });

  it("one request written as a batch is exactly the single 270 (and likewise the 271)", () => {
    expect(write270Batch([request(1)], envelope)).toBe(write270(request(1), envelope));
    expect(write271Batch([answer(1)], envelope)).toBe(write271(answer(1), envelope));
  });

  it("a batch 271 reads back to its answers, in order, each with the trace it echoes", () => {
    const answers = [answer(1), answer(2), answer(3)];
    const { transactions } = read(write271Batch(answers, envelope));
    expect(transactions.map((t) => [t.type, t.controlNumber])).toEqual([["271", "0001"], ["271", "0002"], ["271", "0003"]]);
    expect(transactions.map((t) => withoutPositions(t.data))).toEqual(answers);
  });

  it("refuses an empty batch, and a value holding a delimiter", () => {
    expect(() => write270Batch([], envelope)).toThrow(BadInputError);
    expect(() => write271Batch([], envelope)).toThrow(/at least one/);
    expect(() => write270Batch([request(1), request(2, { subscriber: { lastName: "O*BRIEN", firstName: null, memberId: "W2", birthDate: null } })], envelope)).toThrow(/element delimiter/);
  });

  it("transactionText cuts each set's ST … SE out of the interchange", () => {
    const text = write270Batch([request(1), request(2), request(3)], envelope);
    const sets = [...iterateTransactions(text, [])].map((t) => transactionText(text, t));
    expect(sets.map((s) => s.slice(0, 12))).toEqual(["ST*270*0001*", "ST*270*0002*", "ST*270*0003*"]);
    expect(sets.every((s) => /~\nSE\*\d+\*000\d~$/.test(s))).toBe(true);
    expect(sets[1]).toContain("TRN*1*E000002*9123456789~");
    expect(text).toContain(sets.join("\n"));
  });
});
