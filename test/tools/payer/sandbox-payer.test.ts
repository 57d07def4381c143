import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClaimInput } from "../../../tools/claim/claim.js";
import { loadCodingTables, type CodingTables } from "../../../tools/coding/coding-tables.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { Ack999, AuthResponse278 } from "../../../tools/edi/readers/acknowledgments.js";
import type { Eligibility271 } from "../../../tools/edi/readers/eligibility-271.js";
import type { Remittance835 } from "../../../tools/edi/readers/remittance-835.js";
import { write278Request } from "../../../tools/edi/writers/authorization.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { write270 } from "../../../tools/edi/writers/eligibility.js";
import { loadPayerConfig } from "../../../tools/payer/sandbox/payer-config.js";
import { SandboxPayer } from "../../../tools/payer/sandbox/sandbox-payer.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { oracleCounts } from "../edi/oracle.js";

const config = loadPayerConfig();
let tables: CodingTables;
beforeAll(() => {
  tables = loadCodingTables();
});
const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 7, groupControl: 7, now: new Date("2026-03-01T10:00:00Z") };
const parties = { submitter: { name: "Sandbox Infusion Center", id: "SBXSUB", contactName: "Billing", phone: "5555550100" }, receiver: { name: "Sandbox Clearinghouse", id: "SBXCH" } };
const provider = { name: "Sandbox Infusion Center", npi: "1234567893", taxId: "123456789", address: { line1: "1 Infusion Way", line2: null, city: "Springfield", state: "IL", zip: "62701" } };

/** Reads a response, checking it is clean for us and for node-x12. */
function read(text: string) {
  const parsed = parseX12(text);
  expect(parsed.issues).toEqual([]);
  expect(() => oracleCounts(text)).not.toThrow();
  return parsed.transactions;
}

describe.each(DATABASE_KINDS)("sandbox payer on %s", (kind) => {
  let t: TestDatabase;
  let clock = new Date("2026-03-01T10:00:00Z");
  let payer: SandboxPayer;
  const member = (payerId: string, memberId: string, planId: string, extra: Record<string, unknown> = {}) => ({
    payer_id: payerId, member_id: memberId, plan_id: planId, first_name: "ALEX", last_name: "TESTPERSON", birth_date: "1955-04-02", gender: "F",
    coverage_start: "2026-01-01", coverage_end: null, deductible_met: "0", oop_met: "0", family_deductible_met: null, ...extra,
  });

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const members = [
      member("SBMCR", "1MEDICARE01", "MCR-B"),
      member("SBCOM1", "WCOM000001", "COM-PPO", { deductible_met: "1000.00", oop_met: "1000.00", family_deductible_met: "1500.00" }),
      member("SBCOM1", "WCOM000002", "COM-PPO", { coverage_end: "2026-02-14" }),
      member("SBMA1", "WMA0000001", "MA-GOLD"),
      member("SBCOM2", "WUP0000001", "UP-EPO", { deductible_met: "1000.00" }),
    ];
    for (const m of members) {
      await t.db.pool.query(`INSERT INTO payer_members VALUES (${Object.keys(m).map((_, i) => `$${i + 1}`).join(", ")})`, Object.values(m));
    }
    await t.db.pool.query(`INSERT INTO payer_authorizations (auth_number, payer_id, member_id, hcpcs, units_approved, units_used, start_date, end_date, diagnosis_codes, status)
      VALUES ('AUTH-COM-1', 'SBCOM1', 'WCOM000001', 'J9271', 600, 200, '2026-01-15', '2026-07-14', '{C3490}', 'approved'),
             ('AUTH-UP-1', 'SBCOM2', 'WUP0000001', 'J9271', 1600, 0, '2026-01-15', '2026-12-31', '{C3490}', 'approved')`);
    payer = new SandboxPayer({ pool: t.db.pool, config, tables, now: () => clock });
  });
  afterAll(async () => t.drop());

  const eligibility = async (payerId: string, memberId: string, procedures: string[] = []) => {
    const text = await payer.handle(write270({ trace: `E-${memberId}`, payer: { name: "P", id: payerId }, provider: { name: "SANDBOX INFUSION CENTER", npi: "1234567893" },
      subscriber: { lastName: "TESTPERSON", firstName: "ALEX", memberId, birthDate: null }, dateOfService: "2026-03-02", serviceTypes: ["30"], procedures }, envelope));
    return read(text)[0]!.data as Eligibility271;
  };

  it("270 → 271: active coverage, accumulators (individual and family), coinsurance, drug routing and auth flags", async () => {
    const r = await eligibility("SBCOM1", "WCOM000001", ["J9271", "J2506"]);
    const s = r.subjects[0]!;
    expect(s).toMatchObject({ coverageActive: true, planName: "Commercial PPO", memberId: "WCOM000001" });
    const amount = (code: string, level: string, period: string) => s.benefits.find((b) => b.code === code && b.coverageLevel === level && b.timePeriod === period)?.amount;
    expect([amount("C", "IND", "23"), amount("C", "IND", "29"), amount("C", "FAM", "29"), amount("G", "IND", "29")]).toEqual(["1500.00", "500.00", "1500.00", "5000.00"]);
    expect(s.benefits.find((b) => b.code === "A")?.percent).toBe("0.20");
    expect(s.benefits.find((b) => b.procedure?.code === "J9271")).toMatchObject({ serviceTypes: ["78"], authorizationRequired: true });
    expect(s.benefits.find((b) => b.procedure?.code === "J2506")).toMatchObject({ serviceTypes: ["88"], authorizationRequired: false });
  });

  it("270 → 271: AAA 75 for an unknown member; inactive (EB*6) with the plan's begin and end when coverage ended before the date of service", async () => {
    expect((await eligibility("SBCOM1", "WNOBODY")).subjects[0]!.rejections).toMatchObject([{ valid: "N", code: "75", followUp: "C" }]);
    const ended = (await eligibility("SBCOM1", "WCOM000002")).subjects[0]!;
    // 346/347 bound the coverage; 307 is the date the answer covers (the date of service asked), not an end.
    expect(ended).toMatchObject({ coverageActive: false, dates: [{ qualifier: "346", start: "2026-01-01" }, { qualifier: "347", end: "2026-02-14" }, { qualifier: "307", start: "2026-03-02", end: "2026-03-02" }], benefits: [{ code: "6" }] });
  });

  it("270 → 271: an inquiry from a receiver identified by a service provider number (NM108 SV) is answered to that identifier, the trace echoed with a 10-character originator", async () => {
    const inquiry = write270({ trace: "E-SV", payer: { name: "P", id: "SBCOM1" }, provider: { name: "SANDBOX INFUSION CENTER", npi: "1234567893" },
      subscriber: { lastName: "TESTPERSON", firstName: "ALEX", memberId: "WCOM000001", birthDate: null }, dateOfService: "2026-03-02", serviceTypes: ["30"], procedures: [] }, envelope);
    const text = await payer.handle(inquiry.replace("*XX*1234567893~", "*SV*A1234~"));
    expect(text).toContain("NM1*1P*2*SANDBOX INFUSION CENTER*****SV*A1234~");
    expect(/TRN\*2\*E-SV\*(\d{10})~/.test(text)).toBe(true);
    expect((read(text)[0]!.data as Eligibility271).subjects[0]).toMatchObject({ coverageActive: true });
  });

  const authRequest = (payerId: string, memberId: string, hcpcs: string, units: number, dx: string, trace: string) => write278Request({
    trace, payer: { name: "P", id: payerId }, requester: { name: "SANDBOX INFUSION CENTER", npi: "1234567893" },
    subscriber: { lastName: "TESTPERSON", firstName: "ALEX", memberId, birthDate: null }, diagnoses: [dx],
    services: [{ procedure: { qualifier: "HC", code: hcpcs, modifiers: [] }, quantity: units, from: "2026-03-02", to: "2026-08-31", servicingProvider: null }], messages: [],
  }, envelope);
  const decide = async (text: string) => (read(await payer.handle(text))[0]!.data as AuthResponse278);

  it("278: certified at once (A1) with a number and dates; diagnosis outside the rule is not certified (A3); over the cap is modified (A6)", async () => {
    const ok = await decide(authRequest("SBCOM1", "WCOM000001", "J9299", 480, "C3490", "PA-OK"));
    expect(ok.decisions[0]).toMatchObject({ action: "A1", certifiedFrom: "2026-03-02", certifiedTo: "2027-03-01", quantity: 480 });
    expect(ok.decisions[0]!.authorizationNumber).toMatch(/^SBA[0-9A-F]{9}$/);
    expect((await decide(authRequest("SBCOM1", "WCOM000001", "J9299", 480, "C500", "PA-DX"))).decisions[0]).toMatchObject({ action: "A3", reason: "35" });
    expect((await decide(authRequest("SBCOM1", "WCOM000001", "J9299", 5000, "C3490", "PA-CAP"))).decisions[0]).toMatchObject({ action: "A6", quantity: 2000 });
  });

  it("278: a pended plan answers A4 until its decision date, then certifies the same request", async () => {
    const first = await decide(authRequest("SBMA1", "WMA0000001", "J9271", 1600, "C3490", "PA-PEND"));
    expect(first.decisions[0]).toMatchObject({ action: "A4", authorizationNumber: null });
    clock = new Date("2026-03-02T10:00:00Z");
    expect((await decide(authRequest("SBMA1", "WMA0000001", "J9271", 1600, "C3490", "PA-PEND"))).decisions[0]!.action).toBe("A4");
    clock = new Date("2026-03-03T10:00:00Z");
    const decided = await decide(authRequest("SBMA1", "WMA0000001", "J9271", 1600, "C3490", "PA-PEND"));
    expect(decided.decisions[0]).toMatchObject({ action: "A1", quantity: 1600 });
    clock = new Date("2026-03-01T10:00:00Z");
  });

  const claim = (over: Partial<ClaimInput> & { lines: ClaimInput["lines"] }): ClaimInput => ({
    form: "837P", claimId: over.claimId ?? "C1", totalCharge: over.totalCharge ?? "0.00", placeOfService: "11", billingProvider: provider,
    subscriber: { memberId: "WCOM000001", lastName: "TESTPERSON", firstName: "ALEX", birthDate: "1955-04-02", gender: "F", filingIndicator: "CI" },
    payer: { name: "Sandbox Commercial Health", id: "SBCOM1" }, diagnoses: ["C3490"], ...over,
  });
  const drugLine = (code: string, units: number, charge: string, ndc: string | null, modifiers: string[] = []) => ({
    procedure: { code, modifiers }, charge, units, serviceDate: "2026-03-02", diagnosisPointers: [1], drug: ndc === null ? null : { ndc11: ndc, quantity: 1, unit: "UN" as const },
  });
  const submit = async (c: ClaimInput) => {
    const total = (c.lines ?? []).reduce((s, l) => s + Number(l.charge), 0).toFixed(2);
    const tx = read(await payer.handle(write837([{ ...c, totalCharge: total }], parties, envelope)));
    // 999, then the 277CA, then the 835 for the claims the 277CA accepted.
    expect(tx.map((t) => t.type)).toEqual(["999", "277", "835"]);
    return { ack: tx[0]!.data as Ack999, remit: tx[2]?.data as Remittance835 | undefined };
  };
  const carcs = (r: Remittance835) => r.claims[0]!.lines.map((l) => l.adjustments.filter((a) => a.group === "CO" && a.reason !== "45" && a.reason !== "253").map((a) => `CO-${a.reason}`).join(",") || "paid");

  it("837 → 999 + 835: a clean claim is paid at contract, with deductible and coinsurance, accumulators and auth units moving", async () => {
    const { ack, remit } = await submit(claim({ claimId: "CLEAN-1", lines: [drugLine("J9271", 200, "15000.00", "00006302602"), { procedure: { code: "96413", modifiers: [] }, charge: "300.00", units: 1, serviceDate: "2026-03-02", diagnosisPointers: [1] }] }));
    expect(ack.transactions[0]).toMatchObject({ status: "A", accepted: true });
    expect(carcs(remit!)).toEqual(["paid", "paid"]);
    // J9271: 200 × 59.726 / 1.06 × 125 % = 14086.32 allowed; deductible 500 left, then 20 % coinsurance.
    const drug = remit!.claims[0]!.lines[0]!;
    expect(drug.allowed).toBe("14086.32");
    expect(drug.adjustments).toEqual(expect.arrayContaining([{ group: "PR", reason: "1", amount: "500.00", quantity: null }, { group: "PR", reason: "2", amount: "2717.26", quantity: null }]));
    expect(remit!.balanced).toBe(true);
    const m = await t.db.pool.query("SELECT deductible_met::text AS d, oop_met::text AS o FROM payer_members WHERE member_id = 'WCOM000001'");
    // Out of pocket: 1000 before + 500 deductible + 2717.26 + 30.00 coinsurance on the administration line.
    expect(m.rows[0]).toEqual({ d: "1500.00", o: "4247.26" });
    const a = await t.db.pool.query("SELECT units_used FROM payer_authorizations WHERE auth_number = 'AUTH-COM-1'");
    expect(a.rows[0].units_used).toBe(400);
  });

  it("each denial rule fires when its condition holds, and only then", async () => {
    // Duplicate of the clean claim → CO-18.
    expect(carcs((await submit(claim({ claimId: "CLEAN-1B", lines: [drugLine("J9271", 200, "15000.00", "00006302602"), { procedure: { code: "96413", modifiers: [] }, charge: "300.00", units: 1, serviceDate: "2026-03-02", diagnosisPointers: [1] }] }))).remit!)).toEqual(["CO-18", "CO-18"]);
    const day = (d: string) => (l: ReturnType<typeof drugLine>) => ({ ...l, serviceDate: d });
    // Units beyond the authorization (400 used of 600) → CO-198.
    expect(carcs((await submit(claim({ claimId: "UNITS", lines: [day("2026-03-23")(drugLine("J9271", 300, "22500.00", "00006302602"))] }))).remit!)).toEqual(["CO-198"]);
    // No authorization on file for nivolumab… except the one certified above from 2026-03-02: before it → CO-197.
    expect(carcs((await submit(claim({ claimId: "NOAUTH", lines: [day("2026-03-01")(drugLine("J9299", 240, "9000.00", "00003373413"))] }))).remit!)).toEqual(["CO-197"]);
    // Diagnosis not matching the authorization → CO-11.
    expect(carcs((await submit(claim({ claimId: "DX", diagnoses: ["C50911"], lines: [day("2026-03-24")(drugLine("J9271", 100, "7500.00", "00006302602"))] }))).remit!)).toEqual(["CO-11"]);
    // Missing NDC, and an NDC crosswalked to another code → CO-16 with M119.
    const ndc = (await submit(claim({ claimId: "NDC", lines: [day("2026-03-25")(drugLine("J9271", 100, "7500.00", null)), day("2026-03-25")(drugLine("J9271", 100, "7500.00", "50242006101"))] }))).remit!;
    expect(carcs(ndc)).toEqual(["CO-16", "CO-16"]);
    expect(ndc.claims[0]!.lines[0]!.remarks).toEqual([{ qualifier: "HE", code: "M119" }]);
    // Coverage ended before the date of service → CO-27.
    expect(carcs((await submit(claim({ claimId: "TERM", subscriber: { memberId: "WCOM000002", lastName: "T", firstName: "A", birthDate: "1955-04-02", gender: "F", filingIndicator: "CI" }, lines: [drugLine("J9271", 100, "7500.00", "00006302602")] }))).remit!)).toEqual(["CO-27"]);
    // Pharmacy-benefit drug billed under medical → CO-96.
    expect(carcs((await submit(claim({ claimId: "PHARM", lines: [day("2026-03-26")(drugLine("J2506", 12, "5000.00", "55513019001"))] }))).remit!)).toEqual(["CO-96"]);
  });

  it("Medicare: a single-dose drug needs JZ (or a JW line) — CO-4 without, paid with; sequestration CO-253", async () => {
    const mcr = (claimId: string, lines: ReturnType<typeof drugLine>[]) => claim({ claimId, subscriber: { memberId: "1MEDICARE01", lastName: "T", firstName: "A", birthDate: "1955-04-02", gender: "F", filingIndicator: "MB" }, payer: { name: "Sandbox Medicare", id: "SBMCR" }, lines });
    expect(carcs((await submit(mcr("MCR-NOJZ", [drugLine("J9271", 200, "15000.00", "00006302602")]))).remit!)).toEqual(["CO-4"]);
    const paid = (await submit(mcr("MCR-JZ", [{ ...drugLine("J9271", 200, "15000.00", "00006302602", ["JZ"]), serviceDate: "2026-03-09" }]))).remit!;
    expect(carcs(paid)).toEqual(["paid"]);
    expect(paid.claims[0]!.lines[0]!.allowed).toBe("11945.20");
    expect(paid.claims[0]!.lines[0]!.adjustments.find((a) => a.reason === "253")).toBeDefined();
    const waste = (await submit(mcr("MCR-JW", [{ ...drugLine("J9035", 35, "3000.00", "50242006101"), serviceDate: "2026-03-16" }, { ...drugLine("J9035", 5, "400.00", "50242006101", ["JW"]), serviceDate: "2026-03-16" }]))).remit!;
    expect(carcs(waste)).toEqual(["paid", "paid"]);
  });

  it("a payer configured to underpay pays less than its contract", async () => {
    const { remit } = await submit(claim({ claimId: "UNDER", subscriber: { memberId: "WUP0000001", lastName: "T", firstName: "A", birthDate: "1955-04-02", gender: "F", filingIndicator: "CI" }, payer: { name: "Sandbox Underpaying", id: "SBCOM2" }, lines: [drugLine("J9271", 200, "15000.00", "00006302602")] }));
    // Contract 120 % of ASP = 13522.87; this payer pays 92 % of it.
    expect(remit!.claims[0]!.lines[0]!.allowed).toBe("12441.04");
  });

  it("a malformed 837 is rejected in the 999 and not adjudicated", async () => {
    const text = write837([claim({ claimId: "BAD", totalCharge: "10.00", lines: [drugLine("J9271", 1, "10.00", "00006302602")] })], parties, envelope).replace(/SE\*(\d+)\*/, "SE*99*");
    const tx = parseX12(await payer.handle(text)).transactions;
    expect(tx).toHaveLength(1);
    expect((tx[0]!.data as Ack999).transactions[0]).toMatchObject({ status: "R", accepted: false });
  });
});
