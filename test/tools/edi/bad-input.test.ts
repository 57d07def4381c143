import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../../../tools/errors.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import { NotX12Error, tokenize } from "../../../tools/edi/tokenizer.js";
import { Claim, sumMoney } from "../../../tools/claim/claim.js";
import { toClaimModel, type ReceivedClaim } from "../../../tools/edi/readers/claim-837.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { officeClaim } from "./claims.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 1, groupControl: 1, now: new Date("2026-03-03T14:05:00Z") };
const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };
const valid = write837([officeClaim], parties, envelope);

/** Reads `text`: typed issues or a typed error, never a crash, within `ms` milliseconds. */
function readsTypedWithin(text: string, ms: number): void {
  const read = () => {
    const started = performance.now();
    try {
      const { issues, transactions } = parseX12(text);
      expect(Array.isArray(issues)).toBe(true);
      expect(Array.isArray(transactions)).toBe(true);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
    }
    return performance.now() - started;
  };
  // A slow read is timed again once: a collection or a busy core is not superlinear work.
  const elapsed = read();
  expect(elapsed < ms ? elapsed : read()).toBeLessThan(ms);
}

describe("bad X12 input gets a typed error or issue list", () => {
  it("binary junk and empty input are not X12", () => {
    expect(() => parseX12("\u0000\u0001\u00ff garbage")).toThrow(NotX12Error);
    expect(() => parseX12("")).toThrow(NotX12Error);
  });

  it("a truncated ISA names the problem and the offset", () => {
    const error = (() => { try { parseX12(valid.slice(0, 60)); } catch (e) { return e as AppError; } return null; })();
    expect(error).toBeInstanceOf(NotX12Error);
    expect(error?.message).toMatch(/truncated/);
    expect(error?.details).toEqual({ byteOffset: 0 });
  });

  it("wrong separators: an ISA whose fixed width is broken is refused", () => {
    expect(() => parseX12(valid.replace("ISA*00*          *", "ISA*00*         *"))).toThrow(/ISA02 is 9 characters, the fixed width is 10/);
  });

  it("an SE count that lies, a GE count that lies and a missing IEA are reported at their segments", () => {
    const lyingSe = valid.replace(/SE\*(\d+)\*0001~/, (_m, n: string) => `SE*${Number(n) + 3}*0001~`);
    expect(parseX12(lyingSe).issues).toEqual([expect.objectContaining({ code: "SE_COUNT_MISMATCH", segmentId: "SE", elementPosition: 1, transactionControlNumber: "0001" })]);
    const lyingGe = valid.replace("GE*1*1~", "GE*2*1~");
    expect(parseX12(lyingGe).issues.map((i) => i.code)).toEqual(["GE_COUNT_MISMATCH"]);
    const noIea = valid.replace(/IEA\*1\*000000001~\n?$/, "");
    expect(parseX12(noIea).issues.map((i) => i.code)).toEqual(["IEA_MISSING"]);
  });

  it("tolerates CR/LF and blanks between segments, and reads several interchanges", () => {
    const crlf = valid.replaceAll("~\n", "~\r\n  ");
    expect(parseX12(crlf).issues).toEqual([]);
    const two = valid + valid.replace("000000001", "000000002").replace("000000001", "000000002");
    const parsed = parseX12(two);
    expect(parsed.issues).toEqual([]);
    expect(parsed.transactions).toHaveLength(2);
  });

  it("reads other delimiters from the ISA", () => {
    const other = valid.replaceAll("*", "|").replaceAll("~", "'").replace(/\|\^\|/, "|^|");
    const { delimiters, segments } = tokenize(other);
    expect(delimiters).toEqual({ element: "|", repetition: "^", component: ":", segment: "'" });
    expect(segments.find((s) => s.id === "CLM")?.elements[0]).toBe("SBX-CLM-0001");
  });

  it("property: random byte mutations of a valid file produce only typed errors or issues, never a crash or hang (each read < 50 ms)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (mutations) => {
        const chars = valid.split("");
        for (const [at, code] of mutations) chars[at] = String.fromCharCode(code);
        readsTypedWithin(chars.join(""), 50);
      }),
      { numRuns: 300 },
    );
  });

  it("property: a long run of digits ending in a letter, in any element, is read in linear time (each read < 100 ms)", () => {
    // Every element start of the valid file: amounts, quantities, dates, codes and names alike.
    const starts = [...valid.matchAll(/[*:^]/g)].map((m) => (m.index ?? 0) + 1);
    fc.assert(
      fc.property(fc.constantFrom(...starts), fc.integer({ min: 64 * 1024, max: 256 * 1024 }), fc.constantFrom("A", "x", "-", "."), (at, digits, tail) => {
        readsTypedWithin(`${valid.slice(0, at)}${"7".repeat(digits)}${tail}${valid.slice(at)}`, 100);
      }),
      { numRuns: 40 },
    );
  });

  it("property: random valid claims round-trip through the 837P writer and reader", () => {
    const money = fc.integer({ min: 1, max: 5_000_000 }).map((c) => (c / 100).toFixed(2));
    const line = fc.record({
      procedure: fc.record({ code: fc.constantFrom("J9271", "J9035", "96413", "96415", "J2506"), modifiers: fc.subarray(["JW", "JZ", "59", "25"], { maxLength: 2 }) }),
      charge: money, units: fc.integer({ min: 1, max: 2000 }), serviceDate: fc.constantFrom("2026-01-05", "2026-02-28", "2026-03-31"),
      diagnosisPointers: fc.subarray([1, 2], { minLength: 1 }),
      drug: fc.option(fc.record({ ndc11: fc.stringMatching(/^\d{11}$/), quantity: fc.integer({ min: 1, max: 20 }), unit: fc.constantFrom("UN", "ML", "ME") }), { nil: null }),
      note: fc.option(fc.stringMatching(/^[A-Za-z0-9 .,]{1,40}$/), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.stringMatching(/^[A-Z0-9-]{1,20}$/), (lines, claimId) => {
        const claim = Claim.parse({ ...officeClaim, claimId, lines, totalCharge: sumMoney(lines.map((l) => l.charge)) });
        const parsed = parseX12(write837([claim], parties, envelope));
        expect(parsed.issues).toEqual([]);
        expect(toClaimModel((parsed.transactions[0]!.data as ReceivedClaim[])[0]!)).toEqual(claim);
      }),
      { numRuns: 150 },
    );
  });
});
