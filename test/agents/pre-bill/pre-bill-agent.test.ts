/**
 * The pre-bill agent over the sandbox clinic's past visits, on both databases: each visit's
 * record read from the EHR, ledger and overlays; scrubbed; the claim recorded with the run's end;
 * proposals through the gate; corrections and submission through the claim desk to the sandbox
 * payer's 999 and 277CA. The clinic is generated with known truth (planted charge errors).
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDetail } from "../../../src/claims/claim-queries.js";
import { claimIdFor } from "../../../src/claims/claim-ids.js";
import { queryAudit } from "../../../src/governance/audit-log.js";
import { listReviewItems } from "../../../src/governance/reviews.js";
import { sandboxBillingRules, seedSandboxPayerRules } from "../../../src/reference-data/sandbox-payer-rules.js";
import { SandboxClock, type Harness } from "../../../src/sandbox/harness.js";
import { loadCodingTables } from "../../../tools/coding/coding-tables.js";
import { generateClinic } from "../../../tools/sandbox/clinic-generator.js";
import { catalogueDrugFacts } from "../../../tools/sandbox/catalogue-drug-facts.js";
import { loadRegimens } from "../../../tools/sandbox/regimens.js";
import { seedSandbox } from "../../../tools/sandbox/seed-sandbox.js";
import { CLINIC_MAR_DEFECTS_OFF, plantContext } from "../../../tools/sandbox/visits/generate.js";
import { withCapturedCharges } from "../../../tools/sandbox/visits/seed-visits.js";
import type { PlantedError } from "../../../tools/sandbox/visits/charge-errors.js";
import { loadPayerConfig } from "../../../tools/payer/sandbox/payer-config.js";
import { preBillHarness } from "../../helpers/pre-bill.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";

const TODAY = "2026-03-02";
const tables = loadCodingTables();

describe.each(DATABASE_KINDS)("pre-bill agent on %s", (kind) => {
  let t: TestDatabase;
  let h: Harness;
  /** Past visits (encounter id) with what was planted in their charges. */
  let visits: { encounterId: string; errors: PlantedError[] }[];
  const clock = new SandboxClock(new Date(`${TODAY}T08:00:00Z`));
  const setPhase = (phase: "advisory" | "full") => t.db.pool.query("UPDATE agent_autonomy SET phase = $1 WHERE agent = 'pre-bill'", [phase]);
  const run = (encounterId: string) => h.runtime.start("pre-bill", { type: "claim", id: encounterId }, { id: encounterId });
  const clean = () => visits.filter((v) => v.errors.length === 0);
  const planted = (code: string) => visits.filter((v) => v.errors.some((e) => e.code === code));

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const payerConfig = loadPayerConfig();
    const generated = generateClinic({ patients: 40, weeks: 3, seed: 18, asOf: TODAY, defects: CLINIC_MAR_DEFECTS_OFF }, payerConfig, loadRegimens(), catalogueDrugFacts(tables.drugs));
    // Captured under the rules the payers' overlays hold (seeded below), as the sandbox does.
    const { clinic } = withCapturedCharges(generated, { ctx: plantContext(tables), rates: { default: 0.04 }, payerRules: sandboxBillingRules(payerConfig) });
    await seedSandbox(t.db.pool, clinic, { id: "pre-bill-test", meta: {} });
    await seedSandboxPayerRules(t.db.pool, payerConfig, clock.now(), pino({ level: "silent" }));
    visits = clinic.truth.flatMap((a) => (a.charges === undefined ? [] : [a.charges]));
    h = await preBillHarness(t.db, clock, tables);
  }, 180_000);
  afterAll(async () => t?.drop());

  it("the clinic has past visits with captured charges, clean ones and ones with planted errors", () => {
    expect(clean().length).toBeGreaterThan(3);
    expect(visits.length - clean().length).toBeGreaterThan(2);
  });

  it("a clean visit: the claim is recorded scrubbed with no finding; the only draft is its submission, not held; accepting it sends the 837 and the payer accepts it", async () => {
    const visit = clean()[0]!;
    const started = await run(visit.encounterId);
    expect(started.status, JSON.stringify(started.error ?? started.result)).toBe("waiting");
    const claimId = claimIdFor(visit.encounterId);
    const before = await claimDetail(t.db.pool, claimId);
    expect(before.claim).toMatchObject({ status: "scrubbed", findings: [] });
    expect(before.history.map((e) => e.status)).toEqual(["captured", "scrubbed"]);
    const reviews = await listReviewItems(t.db.pool, { runId: started.id });
    expect(reviews.map((r) => r.actionType)).toEqual(["submit-claim"]);
    expect(reviews[0]).toMatchObject({ humanOnly: false, subject: { type: "claim", id: claimId } });
    const decided = await h.runtime.decide(reviews[0]!.id, { type: "accept" }, "user:test");
    expect(decided.run.status).toBe("completed");
    const after = await claimDetail(t.db.pool, claimId);
    expect(after.claim.status).toBe("accepted");
    expect(after.submissions).toHaveLength(1);
    expect(after.submissions[0]!.x12Sent).toMatch(/^ISA\*/);
    expect(after.submissions[0]!.ack277ca).toMatch(/ST\*277\*/);
    // Every effect has its entry: the scrub and the submission are in the claim's trail.
    const trail = await queryAudit(t.db.pool, { subjectType: "claim", subjectId: claimId });
    expect(trail.filter((e) => e.kind === "claim.status").map((e) => (e.payload as { to: string }).to)).toEqual(["captured", "scrubbed", "submitted", "accepted"]);
  });

  it("a visit with a planted units error: the finding names the line and the rule; the correction and a held submission are drafted; accepted, the corrected claim is what is sent", async () => {
    const visit = planted("DRUG_UNITS")[0] ?? planted("NDC_INVALID")[0] ?? planted("JZ_MISSING")[0];
    expect(visit).toBeDefined();
    const error = visit!.errors[0]!;
    const started = await run(visit!.encounterId);
    const claimId = claimIdFor(visit!.encounterId);
    const stored = await claimDetail(t.db.pool, claimId);
    expect(stored.claim.findings.map((f) => f.code)).toContain(error.code);
    const reviews = await listReviewItems(t.db.pool, { runId: started.id });
    const types = reviews.map((r) => r.actionType);
    expect(types).toContain("correct-claim");
    const submit = reviews.find((r) => r.actionType === "submit-claim")!;
    expect(submit.humanOnly).toBe(true);
    const correct = reviews.find((r) => r.actionType === "correct-claim")!;
    await h.runtime.decide(correct.id, { type: "accept" }, "user:test");
    expect((await claimDetail(t.db.pool, claimId)).claim.status).toBe("corrected");
    await h.runtime.decide(submit.id, { type: "accept", reason: "Corrections checked" }, "user:test");
    const after = await claimDetail(t.db.pool, claimId);
    expect(["accepted", "rejected"]).toContain(after.claim.status);
    expect(after.claim.corrected).not.toBeNull();
    // The 837 sent carries the corrected total, not the captured one.
    expect(after.submissions[0]!.x12Sent).toContain(`CLM*${claimId}*${after.claim.corrected!.totalCharge.replace(/\.00$/, "").replace(/0$/, "")}`);
  });

  it("at full autonomy a clean claim is submitted by itself, and a claim with a finding is never submitted automatically", async () => {
    await setPhase("full");
    try {
      const cleanVisit = clean()[1]!;
      const auto = await run(cleanVisit.encounterId);
      expect(auto.status, JSON.stringify(auto.error ?? auto.result)).toBe("completed");
      expect((await claimDetail(t.db.pool, claimIdFor(cleanVisit.encounterId))).claim.status).toBe("accepted");
      const flagged = visits.filter((v) => v.errors.length > 0)[1]!;
      const held = await run(flagged.encounterId);
      expect(held.status).toBe("waiting");
      const claim = (await claimDetail(t.db.pool, claimIdFor(flagged.encounterId))).claim;
      expect(claim.findings.length).toBeGreaterThan(0);
      expect(["scrubbed", "corrected"]).toContain(claim.status);
      const pending = await listReviewItems(t.db.pool, { runId: held.id });
      expect(pending.find((r) => r.actionType === "submit-claim")?.status).toBe("pending");
    } finally {
      await setPhase("advisory");
    }
  });

  it("over every past visit: a clean capture has no finding, and each planted error's code is found on its visit", async () => {
    const rest = visits.filter((v) => v.errors.length === 0 || v.errors.every((e) => e.code !== "AUTH_MISSING")).slice(12);
    const started = await h.runtime.start("pre-bill", { type: "claim", id: "all" }, { id: "all", appointments: rest.map((v) => v.encounterId) });
    expect(["waiting", "completed"]).toContain(started.status);
    const missed: string[] = [];
    const extra: string[] = [];
    for (const v of rest) {
      const codes = (await claimDetail(t.db.pool, claimIdFor(v.encounterId))).claim.findings.map((f) => f.code);
      for (const e of v.errors) if (!codes.includes(e.code)) missed.push(`${v.encounterId} ${e.kind} → ${e.code} (found ${codes.join(", ") || "nothing"})`);
      const allowed = new Set([...v.errors.flatMap((e) => [e.code, ...e.alsoFlags]), "CLAIM_BALANCE"]);
      for (const c of codes) if (!allowed.has(c)) extra.push(`${v.encounterId}: ${c} (planted ${v.errors.map((e) => e.code).join(", ") || "nothing"})`);
    }
    expect(missed).toEqual([]);
    expect(extra).toEqual([]);
  }, 120_000);

  it("a batch of visits in one run (as a pass sends them): every claim recorded; an unknown encounter is set aside, the rest go on", async () => {
    const batch = visits.slice(5, 10).map((v) => v.encounterId);
    const started = await h.runtime.start("pre-bill", { type: "claim", id: "batch-1" }, { id: "batch-1", appointments: [...batch, "no-such-encounter"] });
    expect(["waiting", "completed"]).toContain(started.status);
    for (const id of batch) expect((await claimDetail(t.db.pool, claimIdFor(id))).claim.visitId).toBe(id);
    const failed = await queryAudit(t.db.pool, { runId: started.id, kind: "subject.failed" });
    expect(failed.map((e) => e.subjectId)).toEqual(["no-such-encounter"]);
  });
});
