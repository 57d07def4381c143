/**
 * Reading stays linear in the size of the input. Regression for the decimal check
 * `/^-?(\d+\.?\d*|\.\d+)$/`, which backtracked quadratically: a 120 KB claim amount made of
 * digits and ending in a letter stalled the service for 11 s (a 10 MB one for hours). Decimals
 * are now scanned by hand and bounded by their X12 maximum length (R 1/18, R 1/15).
 */
import { describe, expect, it } from "vitest";
import { millis } from "../../helpers/timing.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import { normalizeAmount } from "../../../tools/edi/values.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { officeClaim } from "./claims.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 1, groupControl: 1, now: new Date("2026-03-03T14:05:00Z") };
const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };
const valid = write837([officeClaim], parties, envelope);
const TEN_MB = 10 * 1024 * 1024;
const digitsThenLetter = "1".repeat(TEN_MB) + "A";

describe("linear time on hostile element text", () => {
  it("a 10 MB claim amount (CLM02) of digits followed by a letter is rejected in < 100 ms, at its position", () => {
    const text = valid.replace("CLM*SBX-CLM-0001*16950.00*", `CLM*SBX-CLM-0001*${digitsThenLetter}*`);
    let issues: ReturnType<typeof parseX12>["issues"] = [];
    const ms = millis(() => ({ issues } = parseX12(text)));
    expect(ms).toBeLessThan(100);
    const issue = issues.find((i) => i.code === "AMOUNT_INVALID");
    expect(issue).toMatchObject({ segmentId: "CLM", elementPosition: 2, byteOffset: text.indexOf("CLM*") });
    // The message names the value without carrying 10 MB of it.
    expect(issue!.message.length).toBeLessThan(200);
  });

  it("a 10 MB service-unit quantity (SV104) of digits followed by a letter is rejected in < 100 ms, at its position", () => {
    const text = valid.replace("SV1*HC:J9271:JZ*14500.00*UN*200*", `SV1*HC:J9271:JZ*14500.00*UN*${digitsThenLetter}*`);
    let issues: ReturnType<typeof parseX12>["issues"] = [];
    const ms = millis(() => ({ issues } = parseX12(text)));
    expect(ms).toBeLessThan(100);
    expect(issues.find((i) => i.code === "ELEMENT_INVALID" && i.segmentId === "SV1")).toMatchObject({ elementPosition: 4, byteOffset: text.indexOf("SV1*") });
  });

  it("the decimal scanner itself: 10 MB of digits then a letter, a lone dot, signs and exponents", () => {
    expect(millis(() => expect(normalizeAmount(digitsThenLetter)).toBeNull())).toBeLessThan(100);
    const twoPoints = `${"1".repeat(TEN_MB / 2)}.${"2".repeat(TEN_MB / 2)}.`;
    expect(millis(() => expect(normalizeAmount(twoPoints)).toBeNull())).toBeLessThan(100);
    for (const bad of ["", ".", "-", "-.", "1.2.3", "1e5", "+1", " 1", "1 ", "--1", "1-", "0x10", "1,000.00", "١٢"]) expect(normalizeAmount(bad), bad).toBeNull();
    expect(["34", "34.5", ".5", "-.5", "-0", "0007.10", "12.345", "-12.00", "5.", "-123456789012345678", "1234567890123456.78"].map(normalizeAmount))
      .toEqual(["34.00", "34.50", "0.50", "-0.50", "0.00", "7.10", "12.345", "-12.00", "5.00", "-123456789012345678.00", "1234567890123456.78"]);
    // 782 Monetary Amount is R 1/18: nineteen digits are not an amount, wherever the point is.
    expect(["1234567890123456789", "123456789012345678.9", "-1234567890.123456789"].map(normalizeAmount)).toEqual([null, null, null]);
  });
});
