/** The 277CA writer (005010X214): what it writes reads back through read277 to the same model, grammar- and oracle-clean. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BadInputError } from "../../../tools/errors.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { ClaimStatus277 } from "../../../tools/edi/readers/acknowledgments.js";
import { write277CA } from "../../../tools/edi/writers/claim-acknowledgment.js";
import { oracleCounts } from "./oracle.js";

const envelope = { senderId: "SBXCH", receiverId: "INFUSIONRCM", interchangeControl: 512, groupControl: 512, now: new Date("2026-03-05T10:30:00Z") };
const header = { source: { entity: "AY" as const, name: "SANDBOX CLEARINGHOUSE", idQualifier: "46" as const, id: "SBXCH" }, receiptTrace: "CH2026030500001", received: "2026-03-04", processed: "2026-03-05", reference: "CA260305001" };
const fixture = () => parseX12(readFileSync(path.resolve(import.meta.dirname, "../../fixtures/x12/hand-claim-ack.277"), "latin1")).transactions[0]!.data as ClaimStatus277;

function roundTrip(model: ClaimStatus277): { text: string; back: ClaimStatus277 } {
  const text = write277CA(model, header, envelope);
  const { transactions, issues } = parseX12(text);
  expect(issues).toEqual([]);
  expect(() => oracleCounts(text)).not.toThrow();
  expect(transactions[0]!.type).toBe("277");
  return { text, back: transactions[0]!.data as ClaimStatus277 };
}

describe("277CA writer", () => {
  it("the hand-written acknowledgment's model (an accepted claim, a rejected one with line statuses) round-trips", () => {
    const model = fixture();
    const { text, back } = roundTrip(model);
    expect(back).toEqual(model);
    expect(text).toContain("GS*HN*SBXCH*INFUSIONRCM*20260305*1030*512*X*005010X214~");
    expect(text).toContain("BHT*0085*08*CA260305001*20260305*1030*TH~");
    expect(text).toContain("STC*A2:20:PR*20260305*WQ*16950.00~\nREF*1K*CH-7788001~\nDTP*472*D8*20260302~");
    // Both claims of one provider share one 2000C.
    expect(text.match(/\*19\*1~/g)).toHaveLength(1);
  });

  it("a claim spanning days is written RD8; a provider without an NPI keeps its qualifier; claims of two providers get a 2000C each", () => {
    const model = fixture();
    const [a, b] = model.claims;
    const other = { ...b!, provider: { name: "OTHER CLINIC", idQualifier: "SV", id: "A1234", npi: null }, serviceFrom: "2026-03-02", serviceTo: "2026-03-04" };
    const { text, back } = roundTrip({ ...model, claims: [a!, other] });
    expect(text).toContain("DTP*472*RD8*20260302-20260304~");
    expect(text.match(/\*19\*1~/g)).toHaveLength(2);
    expect(back.claims[1]!.provider).toEqual({ name: "OTHER CLINIC", idQualifier: "SV", id: "A1234", npi: null });
    expect(back.claims.map((c) => c.accepted)).toEqual([true, false]);
  });

  it("refuses a model with no batch or with two (a 277CA acknowledges one receiver's batch)", () => {
    const model = fixture();
    expect(() => write277CA({ ...model, batches: [] }, header, envelope)).toThrow(BadInputError);
    expect(() => write277CA({ ...model, batches: [model.batches[0]!, model.batches[0]!] }, header, envelope)).toThrow(BadInputError);
  });
});
