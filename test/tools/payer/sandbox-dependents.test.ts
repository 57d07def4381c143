import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCodingTables } from "../../../tools/coding/coding-tables.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { Eligibility271 } from "../../../tools/edi/readers/eligibility-271.js";
import type { EligibilityRequest270 } from "../../../tools/edi/readers/request-270.js";
import { write270, write270Batch } from "../../../tools/edi/writers/eligibility.js";
import { write278Request } from "../../../tools/edi/writers/authorization.js";
import type { AuthResponse278 } from "../../../tools/edi/readers/acknowledgments.js";
import { loadPayerConfig } from "../../../tools/payer/sandbox/payer-config.js";
import { SandboxPayer } from "../../../tools/payer/sandbox/sandbox-payer.js";
import { countingPool } from "../../helpers/counting-pool.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { oracleCounts } from "../edi/oracle.js";
import { withoutPositions } from "../edi/without-positions.js";

const config = loadPayerConfig();
const now = new Date("2026-03-01T10:00:00Z");
const envelope = { senderId: "1234567893", receiverId: "SBCOM1", interchangeControl: 11, groupControl: 11, now };

const ask = (memberId: string, dependent: EligibilityRequest270["dependent"], trace = `E-${memberId}`): EligibilityRequest270 => ({
  trace, payer: { name: "P", id: "SBCOM1" }, provider: { name: "SANDBOX INFUSION CENTER", npi: "1234567893" },
  subscriber: { lastName: "HOLDER", firstName: "ROBIN", memberId, birthDate: null }, ...(dependent === undefined ? {} : { dependent }),
  dateOfService: "2026-03-06", serviceTypes: ["30", "78"], procedures: ["J9271"],
});
const alex = { lastName: "Holder", firstName: "Alex", birthDate: "1958-04-02", gender: "F" };

describe.each(DATABASE_KINDS)("sandbox payer: dependents and eligibility styles on %s", (kind) => {
  let t: TestDatabase;
  let db: ReturnType<typeof countingPool>;
  let payer: SandboxPayer;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const members: [string, string | null, string | null][] = [["WDEP000001", null, "2500.00"], ["WDEP000002", "pending-investigation", null], ["WDEP000003", "no-status", null], ["WDEP000004", "answers-for-today", null]];
    for (const [id, style, family] of members) {
      await t.db.pool.query(`INSERT INTO payer_members (payer_id, member_id, plan_id, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met, family_deductible_met, eligibility_style)
        VALUES ('SBCOM1', $1, 'COM-PPO', 'ROBIN', 'HOLDER', '1956-07-11', 'M', '2026-01-01', NULL, '1400.00', '1400.00', $3, $2)`, [id, style, family]);
      await t.db.pool.query(`INSERT INTO payer_dependents (payer_id, member_id, sequence, relationship, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met)
        VALUES ('SBCOM1', $1, 1, '01', 'ALEX', 'HOLDER', '1958-04-02', 'F', '2026-01-01', NULL, '200.00', '300.00')`, [id]);
    }
    db = countingPool(t.db.pool);
    payer = new SandboxPayer({ pool: db.pool, config, tables: loadCodingTables(), now: () => now });
  });
  afterAll(async () => t.drop());

  const answer = async (req: EligibilityRequest270) => {
    const text = await payer.handle(write270(req, envelope));
    const parsed = parseX12(text);
    expect(parsed.issues).toEqual([]);
    expect(() => oracleCounts(text)).not.toThrow();
    return { data: parsed.transactions[0]!.data as Eligibility271, text: text.replace(/\r?\n/g, "") };
  };

  it("answers a dependent in 2000D/2100D/2110D; the subscriber's 2000C names the subscriber and carries no EB", async () => {
    const { data, text } = await answer(ask("WDEP000001", alex));
    const [subscriber, dependent] = data.subjects;
    expect(subscriber).toMatchObject({ level: "subscriber", lastName: "HOLDER", firstName: "ROBIN", memberId: "WDEP000001", birthDate: "1956-07-11", benefits: [], traces: [] });
    expect(dependent).toMatchObject({ level: "dependent", firstName: "ALEX", memberId: null, relationship: "01", traces: [{ type: "2", number: "E-WDEP000001" }] });
    expect(text).toMatch(/HL\*3\*2\*22\*1~NM1\*IL\*1\*HOLDER\*ROBIN\*\*\*\*MI\*WDEP000001~DMG\*D8\*19560711\*M~HL\*4\*3\*23\*0~TRN\*2\*E-WDEP000001\*9\d{9}~NM1\*03\*1\*HOLDER\*ALEX~DMG\*D8\*19580402\*F~INS\*N\*01~DTP\*346\*D8\*20260101~DTP\*307\*D8\*20260306~EB\*1/);
    // Her own accumulators; the family deductible is the subscriber's row's.
    const amount = (code: string, level: string) => dependent!.benefits.find((b) => b.code === code && b.coverageLevel === level && b.timePeriod === "29")?.amount;
    expect([amount("C", "IND"), amount("C", "FAM"), amount("G", "IND")]).toEqual(["1300.00", "500.00", "5700.00"]);
  });

  it("a dependent the policy does not cover is AAA 67 in 2100D, another birth date AAA 71; an unknown member is AAA 75 in 2100C with the trace", async () => {
    expect(withoutPositions((await answer(ask("WDEP000001", { ...alex, firstName: "SAM" }))).data.subjects[1]!.rejections)).toEqual([{ valid: "N", code: "67", followUp: "C" }]);
    expect(withoutPositions((await answer(ask("WDEP000001", { ...alex, birthDate: "1958-04-03" }))).data.subjects[1]!.rejections)).toEqual([{ valid: "N", code: "71", followUp: "C" }]);
    const unknown = (await answer(ask("WNOBODY", alex))).data;
    expect(unknown.subjects).toHaveLength(1);
    expect(unknown.subjects[0]).toMatchObject({ rejections: [{ code: "75" }], traces: [{ number: "E-WNOBODY" }] });
  });

  it("a subscriber asked about with another birth date is AAA 71 in 2100C", async () => {
    const { data } = await answer({ ...ask("WDEP000001", undefined), subscriber: { lastName: "HOLDER", firstName: "ROBIN", memberId: "WDEP000001", birthDate: "1956-07-12" } });
    expect(data.subjects[0]).toMatchObject({ level: "subscriber", rejections: [{ code: "71" }], benefits: [] });
  });

  it("278 for a dependent: certified when she is on the policy; AAA 67 when not, 71 on another birth date", async () => {
    const request = (dependent?: typeof alex) => write278Request({
      trace: "PA-DEP", payer: { name: "P", id: "SBCOM1" }, requester: { name: "SANDBOX INFUSION CENTER", npi: "1234567893" },
      subscriber: { lastName: "HOLDER", firstName: "ROBIN", memberId: "WDEP000001", birthDate: "1956-07-11" }, ...(dependent === undefined ? {} : { dependent }), diagnoses: ["C3490"],
      services: [{ procedure: { qualifier: "HC", code: "J9299", modifiers: [] }, quantity: 480, from: "2026-03-06", to: "2026-08-31", servicingProvider: null }], messages: [],
    }, envelope);
    const decide = async (text: string) => parseX12(await payer.handle(text)).transactions[0]!.data as AuthResponse278;
    const hers = await decide(request(alex));
    expect(hers.decisions[0]).toMatchObject({ action: "A1", quantity: 480 });
    expect((await decide(request({ ...alex, firstName: "SAM" }))).rejections).toMatchObject([{ code: "67" }]);
    expect((await decide(request({ ...alex, birthDate: "1958-04-03" }))).rejections).toMatchObject([{ code: "71" }]);
  });

  it("eligibility styles: EB*5 instead of EB*1, no status row at all, DTP*307 the day asked", async () => {
    const statusCodes = (d: Eligibility271) => d.subjects.at(-1)!.benefits.filter((b) => b.procedure === null && /^[1-8]$/.test(b.code)).map((b) => b.code);
    expect(statusCodes((await answer(ask("WDEP000002", alex))).data)).toEqual(["5"]);
    expect(statusCodes((await answer(ask("WDEP000003", alex))).data)).toEqual([]);
    const today = (await answer(ask("WDEP000004", alex))).data.subjects[1]!;
    expect(today.dates.find((d) => d.qualifier === "307")).toMatchObject({ start: "2026-03-01", end: "2026-03-01" });
  });

  it("a batch answers dependents as single exchanges do, with one statement more for the dependents asked about", async () => {
    const reqs = [ask("WDEP000001", alex, "B1"), ask("WDEP000002", alex, "B2"), ask("WDEP000001", undefined, "B3"), ask("WNOBODY", alex, "B4")];
    const single = [];
    for (const r of reqs) single.push((await answer(r)).data);
    db.reset();
    const parsed = parseX12(await payer.handle(write270Batch(reqs, envelope)));
    expect(db.statements()).toBe(2);
    expect(withoutPositions(parsed.transactions.map((tx) => tx.data))).toEqual(withoutPositions(single));
  });
});
