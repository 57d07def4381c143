/**
 * No carry-over between loops: a second subscriber loop (2000B) without DMG, N3/N4 must not
 * inherit the first subscriber's birth date, gender or address; a 278 dependent's DMG is not the
 * subscriber's.
 */
import { describe, expect, it } from "vitest";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { ReceivedClaim } from "../../../tools/edi/readers/claim-837.js";
import type { AuthRequest278 } from "../../../tools/edi/readers/request-278.js";
import { write278Request } from "../../../tools/edi/writers/authorization.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { officeClaim } from "./claims.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 1, groupControl: 1, now: new Date("2026-03-03T14:05:00Z") };
const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };

describe("no carry-over between subscriber loops", () => {
  it("837: the second subscriber (no DMG, N3, N4) has no birth date, gender or address of the first", () => {
    const first = { ...officeClaim, subscriber: { ...officeClaim.subscriber, address: { line1: "9 First St", line2: null, city: "Springfield", state: "IL", zip: "62701" } } };
    const second = { ...officeClaim, claimId: "SBX-CLM-0009", subscriber: { ...officeClaim.subscriber, memberId: "W2", lastName: "SECOND", firstName: "SAM", birthDate: "1970-01-01", gender: "M" as const } };
    const text = write837([first, second], parties, envelope).replace("DMG*D8*19700101*M~\n", "");
    const claims = parseX12(text).transactions[0]!.data as ReceivedClaim[];
    expect(claims[0]!.subscriber).toMatchObject({ memberId: "1EG4TE5MK73", birthDate: "1955-04-02", gender: "F", address: { line1: "9 First St", city: "Springfield" } });
    expect(claims[1]!.subscriber).toMatchObject({ memberId: "W2", lastName: "SECOND", birthDate: null, gender: null, address: null });
  });

  it("837: the second subscriber's payer is its own (2010BB), never the first one's when absent", () => {
    const second = { ...officeClaim, claimId: "SBX-CLM-0009", subscriber: { ...officeClaim.subscriber, memberId: "W2" } };
    const text = write837([officeClaim, second], parties, envelope).replace(/(NM1\*IL\*1\*TESTPERSON\*ALEX\*\*\*\*MI\*W2~\n(?:DMG[^~]*~\n)?)NM1\*PR[^~]*~\n/, "$1");
    const claims = parseX12(text).transactions[0]!.data as ReceivedClaim[];
    expect(claims[1]!.payer).toEqual({ name: null, idQualifier: null, id: null });
  });

  it("278 request: a dependent's DMG (2010D) is not the subscriber's birth date", () => {
    const request = write278Request({ trace: "T1", payer: { name: "P", id: "SBCOM1" }, requester: { name: "C", npi: "1234567893" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M1", birthDate: "1960-02-03" },
      diagnoses: ["C3490"], services: [], messages: [] }, envelope);
    const withDependent = request.replace(/(DMG\*D8\*19600203~\n)/, "$1HL*9*3*23*1~\nNM1*QC*1*X*CHILD~\nDMG*D8*20100505~\n");
    const parsed = parseX12(withDependent.replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) + 3}*`));
    expect((parsed.transactions[0]!.data as AuthRequest278).subscriber.birthDate).toBe("1960-02-03");
  });
});
