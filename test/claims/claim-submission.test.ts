/**
 * The claim store and submission, through the sandbox clearinghouse speaking X12: a claim's life
 * from capture to the payer's 277CA, each rejection reason the store can meet, exactly-once
 * sending (a retry, a crash after the send, a clearinghouse that throws), and the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimIdFor } from "../../src/claims/claim-ids.js";
import { recordAdjudicated, recordCapturedClaim, recordScrub, claimHistory } from "../../src/claims/claim-store.js";
import { claimRejected, claimSubmissions, submitClaim } from "../../src/claims/claim-submission.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import type { ClaimInput } from "../../tools/claim/claim.js";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { ConflictError, UpstreamError } from "../../tools/errors.js";
import type { Clearinghouse } from "../../tools/payer/clearinghouse.js";
import { loadPayerConfig } from "../../tools/payer/sandbox/payer-config.js";
import { SandboxClearinghouse } from "../../tools/payer/sandbox/sandbox-clearinghouse.js";
import { SandboxPayer } from "../../tools/payer/sandbox/sandbox-payer.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

const now = () => new Date("2026-03-05T10:00:00Z");
const parties = { submitter: { name: "Sandbox Infusion Center", id: "SBXSUB", contactName: "Billing", phone: "5555550100" }, receiver: { name: "Sandbox Clearinghouse", id: "SBXCH" } };
const options = { parties, senderId: "SBXSUB", receiverId: "SBXCH", actor: "agent:pre-bill", now };
const provider = { name: "Sandbox Infusion Center", npi: "1234567893", taxId: "123456789", address: { line1: "1 Infusion Way", line2: null, city: "Springfield", state: "IL", zip: "62701" } };
const line = (code: string, charge: string, serviceDate = "2026-03-02") => ({ procedure: { code, modifiers: [] }, charge, units: 1, serviceDate, diagnosisPointers: [1] });
const claim = (over: Partial<ClaimInput> = {}): ClaimInput => ({
  form: "837P", claimId: "X", totalCharge: "300.00", placeOfService: "11", billingProvider: provider,
  subscriber: { memberId: "WCLM000001", lastName: "HOLDER", firstName: "ROBIN", birthDate: "1956-07-11", gender: "M", filingIndicator: "CI" },
  payer: { name: "Sandbox Commercial Health", id: "SBCOM1" }, diagnoses: ["C3490"], lines: [line("96413", "300.00")], ...over,
});

/** The sandbox clearinghouse, counting the 837s that reach it; `mode` makes it throw before sending or hang after. */
function counting(inner: Clearinghouse) {
  const state = { sent: 0, mode: "pass" as "pass" | "throw" | "hang-after-send" | "corrupt", payerDone: Promise.resolve() as Promise<unknown> };
  const ch: Clearinghouse = {
    submitEligibility: (x) => inner.submitEligibility(x),
    submitAuthorization: (x) => inner.submitAuthorization(x),
    receiveRemittances: () => inner.receiveRemittances(),
    submitClaims: async (x12) => {
      const mode = state.mode;
      if (mode === "throw") throw new Error("connection reset by the clearinghouse");
      state.sent += 1;
      if (mode === "corrupt") return inner.submitClaims(x12.replace(/SE\*\d+\*/, "SE*2*"));
      const answer = inner.submitClaims(x12);
      state.payerDone = answer;
      const reply = await answer;
      // The process dies after the payer got the claim and before anything is recorded.
      if (mode === "hang-after-send") return new Promise<never>(() => undefined);
      return reply;
    },
  };
  return { ch, state };
}

describe.each(DATABASE_KINDS)("claims: store and submission on %s", (kind) => {
  let t: TestDatabase;
  let ch: Clearinghouse;
  let state: ReturnType<typeof counting>["state"];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await t.db.pool.query(`INSERT INTO payer_members (payer_id, member_id, plan_id, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met, family_deductible_met)
      VALUES ('SBCOM1', 'WCLM000001', 'COM-PPO', 'ROBIN', 'HOLDER', '1956-07-11', 'M', '2026-01-01', NULL, '1500.00', '1000.00', NULL)`);
    await t.db.pool.query(`INSERT INTO payer_dependents (payer_id, member_id, sequence, relationship, first_name, last_name, birth_date, gender, coverage_start, coverage_end)
      VALUES ('SBCOM1', 'WCLM000001', 1, '19', 'JAMIE', 'HOLDER', '2010-02-03', 'M', '2026-01-01', NULL)`);
    const payer = new SandboxPayer({ pool: t.db.pool, config: loadPayerConfig(), tables: loadCodingTables(), now });
    ({ ch, state } = counting(new SandboxClearinghouse(payer)));
  });
  afterAll(async () => t.drop());

  const capture = (visitId: string, c: ClaimInput = claim()) => recordCapturedClaim(t.db.pool, { visitId, patientId: "sbx-p001", claim: c, actor: "agent:pre-bill", now });

  it("captured → scrubbed → corrected → submitted → accepted: the corrected claim is what is sent, the 999 and 277CA are kept raw, every step is history and audit", async () => {
    const captured = await capture("visit-ok", claim({ totalCharge: "250.00", lines: [line("96413", "250.00")] }));
    expect(captured).toMatchObject({ id: claimIdFor("visit-ok"), status: "captured", totalCharge: "250.00", form: "837P", dateOfService: "2026-03-02", payerId: "SBCOM1" });
    expect(captured.id).toMatch(/^C[0-9A-Z]{15}$/);
    const scrubbed = await recordScrub(t.db.pool, captured.id, { findings: [{ code: "DRUG_UNITS", line: 1, confidence: 0.99 }], corrected: claim({ lines: [line("96413", "300.00")] }), actor: "agent:pre-bill", now });
    expect(scrubbed).toMatchObject({ status: "corrected", totalCharge: "300.00", findings: [{ code: "DRUG_UNITS", line: 1, confidence: 0.99 }] });
    const sentBefore = state.sent;
    const result = await submitClaim(t.db.pool, captured.id, ch, options);
    expect(result).toMatchObject({ claimId: captured.id, attempt: 1, sent: true, outcome: "accepted", reasons: [] });
    expect(result.payerClaimControlNumber).toMatch(/^PCN[0-9A-F]{12}$/);
    expect(state.sent - sentBefore).toBe(1);
    const [s] = await claimSubmissions(t.db.pool, captured.id);
    expect(s).toMatchObject({ attempt: 1, state: "answered", outcome: "accepted", interchangeControl: result.interchangeControl });
    expect(s!.x12Sent).toContain(`CLM*${captured.id}*300.00*`);
    expect(s!.x12Sent).toContain(`ISA*00*          *00*          *ZZ*SBXSUB         *ZZ*SBXCH          *260305*1000*^*00501*${String(result.interchangeControl).padStart(9, "0")}*`);
    expect(s!.ack999).toMatch(/^ISA[\s\S]*AK1\*HC\*[\s\S]*IK5\*A~[\s\S]*IEA\*1\*\d{9}~$/);
    expect(s!.ack277ca).toMatch(/^ISA[\s\S]*005010X214[\s\S]*STC\*A2:20:PR\*20260305\*WQ\*300\.00~[\s\S]*IEA\*1\*\d{9}~$/);
    expect(s!.ack277ca).not.toContain("BPR*");
    expect((await claimHistory(t.db.pool, captured.id)).map((e) => e.status)).toEqual(["captured", "scrubbed", "corrected", "submitted", "accepted"]);
    const audit = await queryAudit(t.db.pool, { subjectType: "claim", subjectId: captured.id });
    expect(audit.map((e) => e.kind)).toEqual(["claim.status", "claim.status", "claim.status", "claim.status", "tool.request", "tool.call", "claim.status"]);
    expect(audit.filter((e) => e.kind === "claim.status").map((e) => (e.payload as { to: string }).to)).toEqual(["captured", "scrubbed", "corrected", "submitted", "accepted"]);
  });

  it("a capture of the same visit twice keeps one claim with one captured event; an accepted claim is not scrubbed again", async () => {
    const again = await capture("visit-ok");
    expect(again.status).toBe("accepted");
    expect((await claimHistory(t.db.pool, again.id)).filter((e) => e.status === "captured")).toHaveLength(1);
    await expect(recordScrub(t.db.pool, again.id, { findings: [], corrected: null, actor: "agent:pre-bill", now })).rejects.toBeInstanceOf(ConflictError);
  });

  it("a claim already submitted is not sent twice: the retry returns the recorded outcome and sends nothing", async () => {
    const id = claimIdFor("visit-ok");
    const sentBefore = state.sent;
    const again = await submitClaim(t.db.pool, id, ch, options);
    expect(again).toMatchObject({ claimId: id, attempt: 1, sent: false, outcome: "accepted" });
    expect(state.sent).toBe(sentBefore);
    expect(await claimSubmissions(t.db.pool, id)).toHaveLength(1);
  });

  it.each([
    ["an invalid billing NPI", "visit-npi", claim({ billingProvider: { ...provider, npi: "1234567890" } }), "A7:562:85"],
    ["an HCPCS code not in the tables", "visit-hcpcs", claim({ lines: [line("J9999", "300.00")] }), "A7:454"],
    ["a CPT code the payer does not know", "visit-cpt", claim({ lines: [line("99999", "300.00")] }), "A7:454"],
    ["a dependent sent as the subscriber", "visit-depsub", claim({ subscriber: { memberId: "WCLM000001", lastName: "HOLDER", firstName: "JAMIE", birthDate: "2010-02-03", gender: "M", filingIndicator: "CI" } }), "A7:156:QC"],
  ])("rejected for %s: the claim is rejected with the 277CA's reason, and claimRejected says why", async (_what, visit, c, code) => {
    const stored = await capture(visit, c);
    const result = await submitClaim(t.db.pool, stored.id, ch, options);
    expect(result).toMatchObject({ sent: true, outcome: "rejected", payerClaimControlNumber: null });
    expect(result.reasons.map((r) => r.code)).toContain(code);
    const why = await claimRejected(t.db.pool, stored.id);
    expect(why!.reasons.map((r) => r.code)).toContain(code);
    expect(why!.summary).toContain(code);
    expect((await claimHistory(t.db.pool, stored.id)).map((e) => e.status)).toEqual(["captured", "submitted", "rejected"]);
  });

  it("rejected by the 999 (a malformed interchange): the claim is rejected naming the segment, and no 277CA is recorded", async () => {
    const stored = await capture("visit-999");
    state.mode = "corrupt";
    try {
      const result = await submitClaim(t.db.pool, stored.id, ch, options);
      expect(result.outcome).toBe("rejected");
      expect(result.reasons[0]).toMatchObject({ source: "999" });
      const [s] = await claimSubmissions(t.db.pool, stored.id);
      expect(s!.ack999).toContain("IK5*R");
      expect(s!.ack277ca).toBeNull();
    } finally {
      state.mode = "pass";
    }
  });

  it("a rejected claim is not resent as it is; once corrected it goes again as attempt 2 and is accepted", async () => {
    const id = claimIdFor("visit-npi");
    const sentBefore = state.sent;
    expect(await submitClaim(t.db.pool, id, ch, options)).toMatchObject({ attempt: 1, sent: false, outcome: "rejected" });
    expect(state.sent).toBe(sentBefore);
    await recordScrub(t.db.pool, id, { findings: [], corrected: claim(), actor: "user:biller", now });
    const second = await submitClaim(t.db.pool, id, ch, options);
    expect(second).toMatchObject({ attempt: 2, sent: true, outcome: "accepted" });
    expect(await claimRejected(t.db.pool, id)).toBeNull();
    expect((await claimHistory(t.db.pool, id)).map((e) => e.status)).toEqual(["captured", "submitted", "rejected", "scrubbed", "corrected", "submitted", "accepted"]);
    const subs = await claimSubmissions(t.db.pool, id);
    expect(subs.map((s) => s.interchangeControl)).toHaveLength(2);
    expect(new Set(subs.map((s) => s.interchangeControl)).size).toBe(2);
  });

  it("a crash between the send and the record: the submission stays in doubt and a retry sends nothing", async () => {
    const stored = await capture("visit-crash", claim({ lines: [line("96413", "300.00", "2026-03-03")] }));
    state.mode = "hang-after-send";
    const sentBefore = state.sent;
    void submitClaim(t.db.pool, stored.id, ch, options);
    // The intent commits before the call: wait for the 837 to reach the payer.
    for (let i = 0; i < 200 && state.sent === sentBefore; i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(state.sent).toBe(sentBefore + 1);
    await state.payerDone;
    state.mode = "pass";
    const retry = await submitClaim(t.db.pool, stored.id, ch, options);
    expect(retry).toMatchObject({ attempt: 1, sent: false, outcome: "in-doubt" });
    expect(state.sent).toBe(sentBefore + 1);
    const [s] = await claimSubmissions(t.db.pool, stored.id);
    expect(s).toMatchObject({ state: "sending", ack999: null, outcome: null });
    // The request is on record before the call; no answer is.
    const kinds = (await queryAudit(t.db.pool, { subjectType: "claim", subjectId: stored.id })).map((e) => e.kind);
    expect(kinds).toEqual(["claim.status", "claim.status", "tool.request"]);
  });

  it("a clearinghouse that throws took nothing: the claim returns to where it was, and the next call sends a new attempt", async () => {
    const stored = await capture("visit-throw", claim({ lines: [line("96413", "300.00", "2026-03-04")] }));
    state.mode = "throw";
    await expect(submitClaim(t.db.pool, stored.id, ch, options)).rejects.toBeInstanceOf(UpstreamError);
    state.mode = "pass";
    expect((await claimSubmissions(t.db.pool, stored.id))[0]).toMatchObject({ state: "failed", error: "connection reset by the clearinghouse" });
    expect((await claimHistory(t.db.pool, stored.id)).map((e) => e.status)).toEqual(["captured", "submitted", "captured"]);
    const next = await submitClaim(t.db.pool, stored.id, ch, options);
    expect(next).toMatchObject({ attempt: 2, sent: true, outcome: "accepted" });
  });

  it("a dependent's claim goes in 2000C, is accepted, and only an accepted claim is marked adjudicated", async () => {
    const stored = await capture("visit-dep", claim({ lines: [line("96413", "300.00", "2026-03-04")],
      patient: { relationship: "19", lastName: "HOLDER", firstName: "JAMIE", birthDate: "2010-02-03", gender: "M", address: provider.address } }));
    expect(stored.captured.patient).toMatchObject({ firstName: "JAMIE" });
    const result = await submitClaim(t.db.pool, stored.id, ch, options);
    expect(result.outcome).toBe("accepted");
    expect((await claimSubmissions(t.db.pool, stored.id))[0]!.x12Sent).toContain("PAT*19~\nNM1*QC*1*HOLDER*JAMIE~");
    expect((await recordAdjudicated(t.db.pool, stored.id, { actor: "agent:remittance", now })).status).toBe("adjudicated");
    await expect(recordAdjudicated(t.db.pool, claimIdFor("visit-hcpcs"), { actor: "agent:remittance", now })).rejects.toBeInstanceOf(ConflictError);
  });
});
