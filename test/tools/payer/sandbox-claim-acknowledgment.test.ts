/**
 * The sandbox payer answers an 837 with a 999, a 277CA (005010X214) and an 835 for the claims the
 * 277CA accepted: each front-end edit rejects with its STC category, status and entity; a rejected
 * claim is never adjudicated; a dependent patient is found on the subscriber's policy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClaimInput } from "../../../tools/claim/claim.js";
import { isValidNpi, npiCheckDigit } from "../../../tools/claim/npi.js";
import { loadCodingTables } from "../../../tools/coding/coding-tables.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { Ack999, ClaimStatus277 } from "../../../tools/edi/readers/acknowledgments.js";
import type { Remittance835 } from "../../../tools/edi/readers/remittance-835.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { loadPayerConfig } from "../../../tools/payer/sandbox/payer-config.js";
import { SandboxPayer } from "../../../tools/payer/sandbox/sandbox-payer.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { oracleCounts } from "../edi/oracle.js";

const config = loadPayerConfig();
const now = new Date("2026-03-05T10:00:00Z");
const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 21, groupControl: 21, now };
const parties = { submitter: { name: "Sandbox Infusion Center", id: "SBXSUB", contactName: "Billing", phone: "5555550100" }, receiver: { name: "Sandbox Clearinghouse", id: "SBXCH" } };
const provider = { name: "Sandbox Infusion Center", npi: "1234567893", taxId: "123456789", address: { line1: "1 Infusion Way", line2: null, city: "Springfield", state: "IL", zip: "62701" } };
const home = { line1: "5 Home St", line2: null, city: "Springfield", state: "IL", zip: "62701" };

const admin = (serviceDate: string) => ({ procedure: { code: "96413", modifiers: [] }, charge: "300.00", units: 1, serviceDate, diagnosisPointers: [1] });
const claim = (claimId: string, over: Partial<ClaimInput> = {}): ClaimInput => ({
  form: "837P", claimId, totalCharge: "300.00", placeOfService: "11", billingProvider: provider,
  subscriber: { memberId: "WACK000001", lastName: "HOLDER", firstName: "ROBIN", birthDate: "1956-07-11", gender: "M", filingIndicator: "CI" },
  payer: { name: "Sandbox Commercial Health", id: "SBCOM1" }, diagnoses: ["C3490"], lines: [admin("2026-03-02")], ...over,
});

describe("NPI check digit (Luhn over 80840)", () => {
  it("CMS's example 123456789 → 3; a changed digit or a transposition fails; non-digits and other lengths fail", () => {
    expect(npiCheckDigit("123456789")).toBe(3);
    expect(isValidNpi("1234567893")).toBe(true);
    expect(["1234567890", "1234567839", "2134567893", "123456789", "12345678930", "12345678X3", null].map(isValidNpi)).toEqual([false, false, false, false, false, false, false]);
  });
});

describe.each(DATABASE_KINDS)("sandbox payer: 837 → 999 + 277CA + 835 on %s", (kind) => {
  let t: TestDatabase;
  let payer: SandboxPayer;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await t.db.pool.query(`INSERT INTO payer_members (payer_id, member_id, plan_id, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met, family_deductible_met)
      VALUES ('SBCOM1', 'WACK000001', 'COM-PPO', 'ROBIN', 'HOLDER', '1956-07-11', 'M', '2026-01-01', NULL, '1500.00', '1000.00', '1500.00')`);
    await t.db.pool.query(`INSERT INTO payer_dependents (payer_id, member_id, sequence, relationship, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met)
      VALUES ('SBCOM1', 'WACK000001', 1, '19', 'JAMIE', 'HOLDER', '2010-02-03', 'M', '2026-01-01', NULL, '0.00', '0.00'),
             ('SBCOM1', 'WACK000001', 2, '01', 'ALEX', 'HOLDER', '1958-04-02', 'F', '2026-01-01', '2026-02-28', '0.00', '0.00')`);
    payer = new SandboxPayer({ pool: t.db.pool, config, tables: loadCodingTables(), now: () => now });
  });
  afterAll(async () => t.drop());

  const send = async (text: string) => {
    const reply = await payer.handle(text);
    const parsed = parseX12(reply);
    expect(parsed.issues).toEqual([]);
    expect(() => oracleCounts(reply)).not.toThrow();
    const of = <T>(type: string) => parsed.transactions.filter((x) => x.type === type).map((x) => x.data as T);
    return { reply, ack: of<Ack999>("999")[0], ca: of<ClaimStatus277>("277")[0], remits: of<Remittance835>("835") };
  };
  const submit = (claims: ClaimInput[]) => send(write837(claims, parties, envelope));
  const codes = (ca: ClaimStatus277 | undefined, i = 0) => ca!.claims[i]!.statuses.map((s) => [s.category, s.status, s.entity].filter((x) => x !== null).join(":"));

  it("a clean claim: 999 accepted, 277CA A2:20 with the payer's claim number, and the 835 for it under the same number", async () => {
    const { ack, ca, remits } = await submit([claim("ACK-OK")]);
    expect(ack!.transactions[0]).toMatchObject({ accepted: true });
    expect(ca!.batches[0]).toMatchObject({ trace: "0001", acceptedQuantity: 1, rejectedQuantity: 0, acceptedAmount: "300.00", rejectedAmount: "0.00", statuses: [{ category: "A1", status: "19", entity: "PR", date: "2026-03-05" }] });
    expect(ca!.claims[0]).toMatchObject({ patientControlNumber: "ACK-OK", accepted: true, serviceFrom: "2026-03-02", serviceTo: "2026-03-02", patient: { firstName: "ROBIN", memberId: "WACK000001" }, provider: { npi: "1234567893" } });
    expect(codes(ca)).toEqual(["A2:20:PR"]);
    expect(remits).toHaveLength(1);
    expect(remits[0]!.claims[0]!.payerClaimControlNumber).toBe(ca!.claims[0]!.payerClaimControlNumber);
  });

  /** An 837 of `claim(id)` as a careless sender puts it on the wire (the model refuses these), SE01 recounted. */
  const wire = (id: string, edit: (text: string) => string) => {
    const text = edit(write837([claim(id)], parties, envelope));
    const count = text.slice(text.indexOf("ST*837"), text.indexOf("SE*")).split("~").length - 1 + 1;
    return text.replace(/SE\*\d+\*/, `SE*${count}*`);
  };

  it.each([
    ["billing NPI failing its check digit", (t: string) => t.replace("*XX*1234567893~", "*XX*1234567890~"), ["A7:562:85"]],
    ["principal diagnosis not ICD-10-CM (the dot sent)", (t: string) => t.replace("HI*ABK:C3490~", "HI*ABK:C34.90~"), ["A7:254"]],
    ["an ICD-9 diagnosis (qualifier BF) after the principal", (t: string) => t.replace("HI*ABK:C3490~", "HI*ABK:C3490*BF:1629~"), ["A7:255"]],
    ["HCPCS code not in the tables", (t: string) => t.replace("HC:96413", "HC:J9999"), ["A7:454"]],
    ["CPT code the payer does not know", (t: string) => t.replace("HC:96413", "HC:99999"), ["A7:454"]],
    ["subscriber member id missing", (t: string) => t.replace("****MI*WACK000001~", "~"), ["A3:164:IL"]],
    ["subscriber birth date missing", (t: string) => t.replace("DMG*D8*19560711*M~\n", ""), ["A3:158:IL"]],
    ["a dependent sent as the subscriber", (t: string) => t.replace("NM1*IL*1*HOLDER*ROBIN****MI*WACK000001~\nDMG*D8*19560711*M", "NM1*IL*1*HOLDER*JAMIE****MI*WACK000001~\nDMG*D8*20100203*M"), ["A7:156:QC"]],
  ])("rejects %s in the 277CA and does not adjudicate it", async (what, edit, expected) => {
    const { ack, ca, remits } = await send(wire(`ACK-${what.length}`, edit));
    expect(ack!.transactions[0]).toMatchObject({ accepted: true });
    expect(ca!.claims[0]!.accepted).toBe(false);
    expect(codes(ca)).toEqual(expected);
    expect(ca!.claims[0]!.payerClaimControlNumber).toBeNull();
    expect(ca!.batches[0]).toMatchObject({ acceptedQuantity: 0, rejectedQuantity: 1 });
    expect(remits).toEqual([]);
  });

  it("several reasons at once are each named (no member id and no birth date)", async () => {
    const { ca } = await send(wire("ACK-SUB", (t) => t.replace("****MI*WACK000001~", "~").replace("DMG*D8*19560711*M~\n", "")));
    expect(codes(ca)).toEqual(["A3:164:IL", "A3:158:IL"]);
  });

  it("a line's rejection is repeated on its line (2220D SVC with STC and REF*FJ)", async () => {
    const { ca } = await submit([claim("ACK-LINE", { totalCharge: "600.00", lines: [admin("2026-03-02"), { ...admin("2026-03-02"), procedure: { code: "99999", modifiers: [] }, lineControlNumber: "L2" }] })]);
    expect(ca!.claims[0]!.lines).toEqual([expect.objectContaining({ procedure: { qualifier: "HC", code: "99999", modifiers: [] }, charge: "300.00", lineControlNumber: "L2", statuses: [expect.objectContaining({ category: "A7", status: "454", action: "U" })] })]);
  });

  it("one 837 with an accepted and a rejected claim: the 835 holds only the accepted one", async () => {
    const { ca, remits } = await submit([claim("ACK-MIX-OK", { lines: [admin("2026-03-03")] }), claim("ACK-MIX-BAD", { billingProvider: { ...provider, npi: "1234567893" }, lines: [{ ...admin("2026-03-03"), procedure: { code: "99999", modifiers: [] } }] })]);
    expect(ca!.claims.map((c) => c.accepted)).toEqual([true, false]);
    expect(ca!.batches[0]).toMatchObject({ acceptedQuantity: 1, rejectedQuantity: 1, acceptedAmount: "300.00", rejectedAmount: "300.00" });
    expect(remits.flatMap((r) => r.claims.map((c) => c.patientControlNumber))).toEqual(["ACK-MIX-OK"]);
  });

  it("a dependent in 2000C is accepted and adjudicated on the subscriber's policy: the 835 names the patient (QC) and the insured (IL), her accumulators move", async () => {
    const { ca, remits } = await submit([claim("ACK-DEP", { lines: [admin("2026-03-04")], patient: { relationship: "19", lastName: "HOLDER", firstName: "JAMIE", birthDate: "2010-02-03", gender: "M", address: home } })]);
    expect(codes(ca)).toEqual(["A2:20:PR"]);
    expect(ca!.claims[0]!.patient).toMatchObject({ firstName: "JAMIE", memberId: "WACK000001" });
    const c = remits[0]!.claims[0]!;
    expect(c.status).toBe("1");
    expect(c.patient).toMatchObject({ lastName: "HOLDER", firstName: "JAMIE" });
    expect(c.insured).toMatchObject({ firstName: "ROBIN", id: "WACK000001" });
    const dep = await t.db.pool.query("SELECT deductible_met::text AS d FROM payer_dependents WHERE member_id = 'WACK000001' AND sequence = 1");
    // Her own deductible (1500 plan deductible, none met) takes the allowed 150.00 of the administration.
    expect(dep.rows[0].d).toBe("150.00");
    const sub = await t.db.pool.query("SELECT deductible_met::text AS d, family_deductible_met::text AS f FROM payer_members WHERE member_id = 'WACK000001'");
    expect(sub.rows[0]).toEqual({ d: "1500.00", f: "1650.00" });
  });

  it("a dependent the member file does not have is accepted at the front end and denied CO-31; one whose coverage ended, CO-27", async () => {
    const unknown = await submit([claim("ACK-DEP-X", { lines: [admin("2026-03-04")], patient: { relationship: "19", lastName: "HOLDER", firstName: "CASEY", birthDate: "2011-01-01", gender: "F", address: home } })]);
    expect(codes(unknown.ca)).toEqual(["A2:20:PR"]);
    expect(unknown.remits[0]!.claims[0]!.lines[0]!.adjustments[0]).toMatchObject({ group: "CO", reason: "31" });
    const ended = await submit([claim("ACK-DEP-END", { lines: [admin("2026-03-04")], patient: { relationship: "01", lastName: "HOLDER", firstName: "ALEX", birthDate: "1958-04-02", gender: "F", address: home } })]);
    expect(ended.remits[0]!.claims[0]!.lines[0]!.adjustments[0]).toMatchObject({ group: "CO", reason: "27" });
  });
});
