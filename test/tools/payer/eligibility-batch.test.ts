import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCodingTables } from "../../../tools/coding/coding-tables.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { Eligibility271 } from "../../../tools/edi/readers/eligibility-271.js";
import type { EligibilityRequest270 } from "../../../tools/edi/readers/request-270.js";
import { write270, write270Batch, write271Batch } from "../../../tools/edi/writers/eligibility.js";
import { BadInputError, UpstreamError } from "../../../tools/errors.js";
import type { Clearinghouse, ClearinghouseReply } from "../../../tools/payer/clearinghouse.js";
import { exchangeEligibilityBatch, type EligibilityBatchItem, type EligibilityInquiry } from "../../../tools/payer/eligibility-batch.js";
import { loadPayerConfig } from "../../../tools/payer/sandbox/payer-config.js";
import { SandboxClearinghouse } from "../../../tools/payer/sandbox/sandbox-clearinghouse.js";
import { SandboxPayer } from "../../../tools/payer/sandbox/sandbox-payer.js";
import { countingPool } from "../../helpers/counting-pool.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { oracleCounts } from "../edi/oracle.js";
import { withoutPositions } from "../edi/without-positions.js";

const config = loadPayerConfig();
const now = new Date("2026-03-01T10:00:00Z");
const envelope = { senderId: "1234567893", receiverId: "SBCOM1", interchangeControl: 7, groupControl: 7, now };
const batchEnvelope = { senderId: "1234567893", now, control: (payerId: string) => 100 + [...payerId].reduce((s, c) => s + c.charCodeAt(0), 0) };

const inquiry = (payerId: string, memberId: string, procedures: string[] = ["J9271", "J2506"]): EligibilityInquiry => ({
  payer: { name: "P", id: payerId }, provider: { name: "SANDBOX INFUSION CENTER", npi: "1234567893" },
  subscriber: { lastName: "TESTPERSON", firstName: "ALEX", memberId, birthDate: "1955-04-02" }, dateOfService: "2026-03-02", serviceTypes: ["30", "1", "78", "50"], procedures,
});

/** A clearinghouse that records what it was sent. */
class Recording implements Clearinghouse {
  readonly sent: string[] = [];
  constructor(private readonly inner: Clearinghouse) {}
  submitEligibility(x12: string) {
    this.sent.push(x12);
    return this.inner.submitEligibility(x12);
  }
  submitAuthorization(x12: string) { return this.inner.submitAuthorization(x12); }
  submitClaims(x12: string) { return this.inner.submitClaims(x12); }
  receiveRemittances() { return this.inner.receiveRemittances(); }
}

describe.each(DATABASE_KINDS)("batch eligibility against the sandbox payer on %s", (kind) => {
  let t: TestDatabase;
  let db: ReturnType<typeof countingPool>;
  let payer: SandboxPayer;
  const N = 60;
  const commercial = Array.from({ length: N }, (_, n) => `WCOM${String(n).padStart(6, "0")}`);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const rows: unknown[][] = [
      ["SBMCR", "1MEDICARE01", "MCR-B", null, "0", "0", null],
      ["SBMA1", "WMA0000001", "MA-GOLD", null, "0", "0", null],
      // Every fifth commercial member's coverage ended before the date of service; some share a family deductible.
      ...commercial.map((id, n) => ["SBCOM1", id, n % 3 === 0 ? "COM-HDHP" : "COM-PPO", n % 5 === 4 ? "2026-02-14" : null, `${n * 10}.00`, `${n * 25}.00`, n % 4 === 0 ? `${n * 15}.00` : null]),
    ];
    for (const [payerId, memberId, planId, end, ded, oop, fam] of rows) {
      await t.db.pool.query(`INSERT INTO payer_members (payer_id, member_id, plan_id, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met, family_deductible_met)
        VALUES ($1, $2, $3, 'ALEX', 'TESTPERSON', '1955-04-02', 'F', '2026-01-01', $4, $5, $6, $7)`, [payerId, memberId, planId, end, ded, oop, fam]);
    }
    db = countingPool(t.db.pool);
    payer = new SandboxPayer({ pool: db.pool, config, tables: loadCodingTables(), now: () => now });
  });
  afterAll(async () => t.drop());

  const requests = (): EligibilityRequest270[] => [
    ...commercial.map((id, n) => ({ ...inquiry("SBCOM1", id, n % 2 === 0 ? ["J9271"] : []), trace: `T${n}` })),
    { ...inquiry("SBCOM1", "WNOBODY"), trace: "T-UNKNOWN" },
    { ...inquiry("SBCOM1", "WCOM000001"), subscriber: { lastName: "X", firstName: null, memberId: null, birthDate: null }, trace: "T-NOID" },
  ];

  /** One 270 per request, as the eligibility agent sends today: the 271s, and the statements spent. */
  async function singly(reqs: EligibilityRequest270[]): Promise<{ answers: Eligibility271[]; statements: number }> {
    db.reset();
    const answers: Eligibility271[] = [];
    for (const r of reqs) {
      const parsed = parseX12(await payer.handle(write270(r, envelope)));
      expect(parsed.issues).toEqual([]);
      expect(parsed.transactions).toHaveLength(1);
      answers.push(parsed.transactions[0]!.data as Eligibility271);
    }
    return { answers, statements: db.statements() };
  }

  it("answers a batch 270 of N with one 271 interchange holding the same answers as N single exchanges, in one statement", async () => {
    const reqs = requests();
    const single = await singly(reqs);
    // Every single exchange with a member id costs a statement.
    expect(single.statements).toBe(reqs.length - 1);

    db.reset();
    const text = await payer.handle(write270Batch(reqs, envelope));
    expect(db.statements()).toBe(1);
    const parsed = parseX12(text);
    expect(parsed.issues).toEqual([]);
    expect(oracleCounts(text)).toHaveLength(reqs.length);
    expect(text.match(/^ISA\*/gm)).toHaveLength(1);
    expect(parsed.transactions.map((tx) => tx.type)).toEqual(reqs.map(() => "271"));
    expect(withoutPositions(parsed.transactions.map((tx) => tx.data))).toEqual(withoutPositions(single.answers));
    // The answers are not all alike: active, ended, unknown, no member id.
    const subjects = single.answers.map((a) => a.subjects[0]!);
    expect(subjects.filter((s) => s.coverageActive === true).length).toBeGreaterThan(10);
    expect(subjects.filter((s) => s.coverageActive === false).length).toBeGreaterThan(5);
    expect(subjects.filter((s) => s.rejections.some((r) => r.code === "75"))).toHaveLength(2);
  });

  it("the statements stay constant with the batch size, and a batch naming several payers costs one per payer", async () => {
    for (const size of [1, 5, 25, N]) {
      db.reset();
      await payer.handle(write270Batch(requests().slice(0, size), envelope));
      expect(db.statements()).toBe(1);
    }
    const mixed = [{ ...inquiry("SBMCR", "1MEDICARE01"), trace: "M1" }, { ...inquiry("SBCOM1", commercial[0]!), trace: "C1" }, { ...inquiry("SBMA1", "WMA0000001"), trace: "A1" },
      { ...inquiry("SBCOM1", commercial[1]!), trace: "C2" }, { ...inquiry("NOSUCHPAYER", "X1"), trace: "X1" }];
    const single = await singly(mixed);
    db.reset();
    const parsed = parseX12(await payer.handle(write270Batch(mixed, envelope)));
    expect(db.statements()).toBe(3);
    expect(withoutPositions(parsed.transactions.map((tx) => tx.data))).toEqual(withoutPositions(single.answers));
    expect(withoutPositions((parsed.transactions[4]!.data as Eligibility271).informationSource.rejections)).toEqual([{ valid: "N", code: "79", followUp: "C" }]);
  });

  it("exchangeEligibilityBatch: one interchange per payer, every answer matched to its inquiry by trace, the unknown member with its AAA", async () => {
    const clearinghouse = new Recording(new SandboxClearinghouse(payer));
    const items: EligibilityBatchItem[] = [
      ...commercial.slice(0, 30).map((id, n) => ({ trace: `E${String(n).padStart(4, "0")}`, request: inquiry("SBCOM1", id) })),
      { trace: "E-MCR", request: inquiry("SBMCR", "1MEDICARE01") },
      { trace: "E-UNKNOWN", request: inquiry("SBCOM1", "WNOBODY") },
      { trace: "E-MA", request: inquiry("SBMA1", "WMA0000001") },
    ];
    db.reset();
    const result = await exchangeEligibilityBatch(clearinghouse, items, batchEnvelope);
    expect(clearinghouse.sent).toHaveLength(3);
    expect(db.statements()).toBe(3);
    expect([...result.keys()]).toEqual(items.map((i) => i.trace));
    // Each interchange is addressed to its payer, with the control number asked for it.
    for (const x12 of clearinghouse.sent) {
      const receiver = x12.slice(54, 69).trim();
      expect(x12.slice(90, 99)).toBe(String(batchEnvelope.control(receiver)).padStart(9, "0"));
      expect(parseX12(x12).transactions.every((tx) => (tx.data as EligibilityRequest270).payer.id === receiver)).toBe(true);
    }
    const single = await singly(items.map((i) => ({ ...i.request, trace: i.trace })));
    items.forEach((item, n) => {
      const r = result.get(item.trace)!;
      expect(r.failure).toBeNull();
      expect(withoutPositions(r.data)).toEqual(withoutPositions(single.answers[n]));
      expect(withoutPositions(r.data!.subjects[0]!.traces)).toEqual([{ type: "2", number: item.trace, originatorId: "9123456789" }]);
      expect(r.sent).toMatch(/^ST\*270\*\d{4}\*005010X279A1~\n[\s\S]*~\nSE\*\d+\*\d{4}~$/);
      expect(r.sent).toContain(`TRN*1*${item.trace}*9123456789~`);
      expect(r.received).toMatch(new RegExp(`^ST\\*271\\*${r.control}\\*[\\s\\S]*TRN\\*2\\*${item.trace}\\*9123456789~[\\s\\S]*~\\nSE\\*\\d+\\*${r.control}~$`));
    });
    expect(withoutPositions(result.get("E-UNKNOWN")!.data!.subjects[0]!.rejections)).toEqual([{ valid: "N", code: "75", followUp: "C" }]);
    expect(result.get("E-UNKNOWN")!.received).toContain("AAA*N**75*C~");
    const controls = items.filter((i) => i.request.payer.id === "SBCOM1").map((i) => result.get(i.trace)!.control);
    expect(new Set(controls).size).toBe(controls.length);
  });
});

/** 270s answered by a script: each inquiry's 271 echoes its trace; `answer` may drop or reorder them. */
class Scripted implements Clearinghouse {
  readonly sent: string[] = [];
  constructor(private readonly answer: (x12: string, requests: EligibilityRequest270[]) => string | Error) {}
  async submitEligibility(x12: string): Promise<ClearinghouseReply> {
    this.sent.push(x12);
    const reply = this.answer(x12, parseX12(x12).transactions.map((tx) => tx.data as EligibilityRequest270));
    if (reply instanceof Error) throw reply;
    const { transactions, issues } = parseX12(reply);
    return { raw: reply, transactions, issues };
  }
  submitAuthorization(): Promise<ClearinghouseReply> { throw new Error("not used"); }
  submitClaims(): Promise<ClearinghouseReply> { throw new Error("not used"); }
  async receiveRemittances() { return []; }
}

const echo = (r: EligibilityRequest270): Eligibility271 => ({
  informationSource: { name: "PAYER", idQualifier: "PI", id: r.payer.id, rejections: [] },
  receiver: { name: "SANDBOX INFUSION CENTER", idQualifier: "XX", id: "1234567893", rejections: [] },
  subjects: [{ level: "subscriber", lastName: r.subscriber.lastName, firstName: r.subscriber.firstName, memberId: r.subscriber.memberId, birthDate: null, gender: null,
    traces: r.trace === null ? [] : [{ type: "2", number: r.trace, originatorId: "9123456789" }],
    rejections: r.subscriber.memberId === "WNOBODY" ? [{ valid: "N", code: "75", followUp: "C" }] : [], dates: [], coverageActive: null, planName: null, benefits: [] }],
  rejections: [],
});
const replyEnvelope = { senderId: "CLEARINGHOUSE", receiverId: "1234567893", interchangeControl: 9, groupControl: 9, now };

describe("exchangeEligibilityBatch: matching and failures", () => {
  const items: EligibilityBatchItem[] = [
    { trace: "A1", request: inquiry("PAYERA", "W1") },
    { trace: "B1", request: inquiry("PAYERB", "W2") },
    { trace: "A2", request: inquiry("PAYERA", "WNOBODY") },
    { trace: "A3", request: inquiry("PAYERA", "W3") },
    { trace: "B2", request: inquiry("PAYERB", "W4") },
  ];

  it("matches by the echoed trace whatever the order, and an inquiry left unanswered fails on its own", async () => {
    // Payer A answers in reverse order, one 271 per interchange as some do, and drops A3; B answers a batch.
    const ch = new Scripted((_x12, reqs) => reqs[0]!.payer.id === "PAYERA"
      ? reqs.filter((r) => r.trace !== "A3").reverse().map((r) => write271Batch([echo(r)], replyEnvelope)).join("")
      : write271Batch(reqs.map(echo), replyEnvelope));
    const result = await exchangeEligibilityBatch(ch, items, batchEnvelope);
    expect(ch.sent).toHaveLength(2);
    expect(parseX12(ch.sent[0]!).transactions.map((tx) => tx.controlNumber)).toEqual(["0001", "0002", "0003"]);
    for (const trace of ["A1", "A2", "B1", "B2"]) {
      const r = result.get(trace)!;
      const item = items.find((i) => i.trace === trace)!;
      expect(r).toMatchObject({ failure: null, data: { subjects: [{ memberId: item.request.subscriber.memberId }] } });
      expect(r.received).toContain(`TRN*2*${trace}*9123456789~`);
    }
    expect(withoutPositions(result.get("A2")!.data!.subjects[0]!.rejections)).toEqual([{ valid: "N", code: "75", followUp: "C" }]);
    expect(result.get("B2")!.control).toBe("0002");
    expect(result.get("A3")).toMatchObject({ received: null, control: null, data: null, failure: "the reply held no 271 for trace A3 (2 transaction set(s))" });
    expect(result.get("A3")!.sent).toContain("TRN*1*A3*9123456789~");
  });

  it("a clearinghouse timeout fails every inquiry of that payer's interchange; the other payer's are answered", async () => {
    const ch = new Scripted((_x12, reqs) => reqs[0]!.payer.id === "PAYERB" ? new UpstreamError("the clearinghouse timed out after 30 s") : write271Batch(reqs.map(echo), replyEnvelope));
    const result = await exchangeEligibilityBatch(ch, items, batchEnvelope);
    for (const trace of ["B1", "B2"]) {
      expect(result.get(trace)).toMatchObject({ received: null, control: null, data: null, failure: "UPSTREAM_FAILURE: the clearinghouse timed out after 30 s" });
      expect(result.get(trace)!.sent).toContain(`TRN*1*${trace}*`);
    }
    expect(["A1", "A2", "A3"].map((trace) => result.get(trace)!.failure)).toEqual([null, null, null]);
  });

  it("an error that is not the payer's propagates", async () => {
    const ch = new Scripted(() => new TypeError("a bug of ours"));
    await expect(exchangeEligibilityBatch(ch, items, batchEnvelope)).rejects.toThrow(TypeError);
  });

  it("a 999 rejecting an inquiry, and two 271s for one trace, are failures of that inquiry only", async () => {
    const ch = new Scripted((_x12, reqs) => {
      const ack = `ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*1234567893     *260301*1000*^*00501*000000011*0*T*:~\nGS*FA*CLEARINGHOUSE*1234567893*20260301*1000*11*X*005010X231A1~\n`
        + "ST*999*0001*005010X231A1~\nAK1*HS*101*005010X279A1~\nAK2*270*0003~\nIK5*R*5~\nAK9*P*3*3*2~\nSE*6*0001~\nGE*1*11~\nIEA*1*000000011~\n";
      const answered = reqs.filter((r) => r.trace !== "A3");
      return ack + write271Batch([...answered.map(echo), echo(answered[0]!)], replyEnvelope);
    });
    const result = await exchangeEligibilityBatch(ch, items.filter((i) => i.request.payer.id === "PAYERA"), batchEnvelope);
    expect(result.get("A3")!.failure).toBe("the 270 was rejected in a 999 (IK5 R 5)");
    expect(result.get("A1")!.failure).toBe("the reply held 2 271s for trace A1 (ST02 0001, 0003)");
    expect(result.get("A2")!.failure).toBeNull();
  });

  it("refuses a repeated trace; an inquiry without a payer id, or with content the writer refuses, fails alone", async () => {
    const ch = new Scripted((_x12, reqs) => write271Batch(reqs.map(echo), replyEnvelope));
    await expect(exchangeEligibilityBatch(ch, [items[0]!, items[0]!], batchEnvelope)).rejects.toThrow(BadInputError);
    const odd: EligibilityBatchItem[] = [
      items[0]!,
      { trace: "NOPAYER", request: { ...inquiry("X", "W9"), payer: { name: "P", id: null } } },
      { trace: "STAR", request: { ...inquiry("PAYERA", "W8"), subscriber: { lastName: "O*BRIEN", firstName: null, memberId: "W8", birthDate: null } } },
      items[3]!,
    ];
    const result = await exchangeEligibilityBatch(ch, odd, batchEnvelope);
    expect(ch.sent).toHaveLength(1);
    expect(parseX12(ch.sent[0]!).transactions.map((tx) => (tx.data as EligibilityRequest270).trace)).toEqual(["A1", "A3"]);
    expect(result.get("NOPAYER")).toMatchObject({ sent: "", data: null, failure: "the inquiry names no payer id; nothing was sent" });
    expect(result.get("STAR")).toMatchObject({ sent: "", data: null });
    expect(result.get("STAR")!.failure).toMatch(/^INVALID_X12: NM1: value "O\*BRIEN" contains the element delimiter/);
    expect([result.get("A1")!.failure, result.get("A3")!.failure]).toEqual([null, null]);
  });
});
