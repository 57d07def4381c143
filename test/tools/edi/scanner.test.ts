import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balances, difference, toCents } from "../../../tools/edi/exact-amounts.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import { SegmentScanner, components, tokenize } from "../../../tools/edi/tokenizer.js";

const ISA = "ISA*00*          *00*          *ZZ*SBXCLEARING    *ZZ*INFUSIONRCM    *260310*0930*^*00501*000000835*0*P*:~";

describe("the segment scanner reads elements in place", () => {
  it("property: elements, components and offsets are what splitting each segment's text gives", () => {
    const value = fc.stringMatching(/^[A-Z0-9 .:-]{0,6}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("CLP", "SVC", "N1", "LQ", "X"), fc.array(value, { maxLength: 8 })), { minLength: 1, maxLength: 20 }), fc.boolean(), (segments, newlines) => {
        const texts = segments.map(([id, values]) => [id, ...values].join("*"));
        const text = ISA + texts.map((t) => `${newlines ? "\r\n" : ""}${t}~`).join("");
        const read = tokenize(text).segments.slice(1);
        expect(read.map((s) => s.id)).toEqual(texts.map((t) => t.split("*")[0]));
        read.forEach((s, i) => {
          const body = texts[i]!.slice(s.id.length + 1);
          expect(s.elements).toEqual(texts[i]!.includes("*") && body !== "" ? body.split("*") : []);
          expect(text.slice(s.offset, s.offset + texts[i]!.length)).toBe(texts[i]);
          expect(components(s, 1)).toEqual(s.elements[0] ? s.elements[0].split(":") : []);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("going back to an earlier segment splits it again, with the same elements", () => {
    const scanner = new SegmentScanner(`${ISA}CLP*A*1*10~SVC*HC:J9271*10*8~`);
    scanner.next();
    const clp = scanner.next()!;
    const svc = scanner.next()!;
    expect(svc.elements).toEqual(["HC:J9271", "10", "8"]);
    expect(clp.elements).toEqual(["A", "1", "10"]);
    expect(svc.elements[0]).toBe("HC:J9271");
  });

  it("segments without element separators keep the scan linear (200,000 of them in well under a second)", () => {
    const text = `${ISA}${"ABC~".repeat(200_000)}`;
    const t = performance.now();
    let n = 0;
    const scanner = new SegmentScanner(text);
    for (let s = scanner.next(); s !== null; s = scanner.next()) n += s.elements.length;
    expect(n).toBe(16);
    expect(performance.now() - t).toBeLessThan(1_000);
  });
});

describe("exact amounts for balancing", () => {
  it("reads cents digit by digit, and refuses what is not whole cents", () => {
    expect([toCents("1234.5"), toCents("-0.07"), toCents("12"), toCents(".5"), toCents("5."), toCents("0.00")]).toEqual([123450, -7, 1200, 50, 500, 0]);
    expect([toCents("1.005"), toCents("1e5"), toCents("12a"), toCents("12345678901234")]).toEqual([null, null, null, null]);
  });

  it("balances in cents, and exactly with more than two decimals", () => {
    expect(balances("100.00", ["60.00", "15.50"], "24.50")).toBe(true);
    expect(balances("100.00", ["60.00", "15.50"], "24.51")).toBe(false);
    expect(balances("100.005", ["60.0025", "15.5"], "24.5025")).toBe(true);
    expect(balances("100.005", ["60.0025", "15.5"], "24.50")).toBe(false);
    expect(difference("100.005", ["60.0025"])).toBe("40.0025");
  });

  it("an 835 with amounts of more than two decimals is balanced exactly (decimal.js), and an imbalance of 0.0001 is found at its SVC", () => {
    const remit = (svcPaid: string) => [
      ISA, "GS*HP*SBXCLEARING*INFUSIONRCM*20260310*0930*1*X*005010X221A1~", "ST*835*0001~",
      "BPR*I*24.5025*C*ACH*CCP*01*011000015*DA*0001234567*1660000001**01*021000021*DA*9876543210*20260310~", "TRN*1*EFT1*1660000001~",
      "N1*PR*SANDBOX~", "N3*1 PAYER WAY~", "N4*HARTFORD*CT*06101~", "PER*BL*EDI SUPPORT*TE*8005551212~", "N1*PE*SANDBOX INFUSION CENTER*XX*1234567893~", "LX*1~", "CLP*SBX1*1*100.005*24.5025**12*ICN1*11*1~",
      "NM1*QC*1*DOE*JANE****MI*W1~", `SVC*HC:96413*100.005*${svcPaid}**1~`, "DTM*472*20260302~", "CAS*CO*45*60.0025**253*15.5~",
      "SE*15*0001~", "GE*1*1~", "IEA*1*000000835~",
    ].join("\n");
    expect(parseX12(remit("24.5025")).issues).toEqual([]);
    expect(parseX12(remit("24.5024")).issues).toEqual([expect.objectContaining({ code: "BALANCE_MISMATCH", segmentId: "SVC", message: "Claim SBX1 line 1: charge 100.005 − adjustments = 24.5025, paid 24.5024" })]);
  });
});
