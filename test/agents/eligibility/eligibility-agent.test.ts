import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eligibilityAgent } from "../../../agents/eligibility/graph.js";
import { queryAudit } from "../../../src/governance/audit-log.js";
import { listReviewItems } from "../../../src/governance/reviews.js";
import { AgentRegistry } from "../../../src/orchestration/registry.js";
import { buildHarness, SandboxClock, type Harness } from "../../../src/sandbox/harness.js";
import { UpstreamError } from "../../../tools/errors.js";
import type { Clearinghouse } from "../../../tools/payer/clearinghouse.js";
import { seedSandbox } from "../../../tools/sandbox/seed-sandbox.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { scenarioClinic, type Scenario } from "../pre-service-clinic.js";
import { decodeAuditPayloadJson } from "../../../src/governance/audit-payload.js";

const medicare = { id: "SBMCR", name: "Sandbox Medicare Part B", type: "medicare", planId: "MCR-B" };
const ppo = { id: "SBCOM1", name: "Sandbox Commercial Health", type: "commercial", planId: "COM-PPO" };
const pembro = { hcpcs: "J9271", name: "pembrolizumab", doseMg: 200 };
const holder = { relationship: "spouse", first: "Robin", last: "Holder", birthDate: "1956-07-11", gender: "male" };
const scenarios: Scenario[] = [
  // Medicare, $100 of the $283 deductible met: a clean visit, and a second visit the day after coverage ends.
  { id: "clean", payer: { ...medicare, memberId: "1EG4TE5MK73" }, drugs: [pembro], visits: ["2026-03-06", "2026-03-27"], member: { deductibleMet: "100.00", coverageEnd: "2026-03-26" } },
  // Embedded family deductible: $1,300 left individually, $500 left for the family.
  { id: "family", payer: { ...ppo, memberId: "WCOM000009" }, drugs: [pembro], visits: ["2026-03-06"], member: { deductibleMet: "200.00", familyDeductibleMet: "2500.00" } },
  // Pegfilgrastim is on COM-PPO's pharmacy benefit; scheduled as buy-and-bill.
  { id: "pharmacy", payer: { ...ppo, memberId: "WCOM000010" }, drugs: [{ hcpcs: "J2506", name: "pegfilgrastim", doseMg: 6 }], visits: ["2026-03-06"] },
  // …and supplied by the specialty pharmacy (white bag): fine.
  { id: "whitebag", payer: { ...ppo, memberId: "WCOM000011" }, drugs: [{ hcpcs: "J2506", name: "pegfilgrastim", doseMg: 6, supply: "white-bag" }], visits: ["2026-03-06"] },
  { id: "unknown", payer: { ...ppo, memberId: "WCOM999999" }, drugs: [pembro], visits: ["2026-03-06"], member: null },
  { id: "nocov", payer: { ...ppo, memberId: "WCOM000012" }, drugs: [pembro], visits: ["2026-03-06"], noCoverage: true },
  // Deductible met; a visit in 2026 Q1 (its ASP file ships) and one in 2026 Q4 (not loaded).
  { id: "quarters", payer: { ...medicare, memberId: "2EG4TE5MK73" }, drugs: [pembro], visits: ["2026-03-06", "2026-11-10"], member: { deductibleMet: "283.00" } },
  // Covered as a spouse on the subscriber's PPO (no member id of her own): $200 of her $1,500 deductible met, $2,500 of the family's $3,000.
  { id: "spouse", payer: { ...ppo, memberId: "WCOM000020" }, drugs: [pembro], visits: ["2026-03-06"], holder, member: { familyDeductibleMet: "2500.00", deductibleMet: "1400.00" }, dependent: { deductibleMet: "200.00" } },
  { id: "nodep", payer: { ...ppo, memberId: "WCOM000021" }, drugs: [pembro], visits: ["2026-03-06"], holder, dependent: null },
  { id: "pending", payer: { ...ppo, memberId: "WCOM000022" }, drugs: [pembro], visits: ["2026-03-06"], member: { eligibilityStyle: "pending-investigation" } },
  { id: "nostatus", payer: { ...ppo, memberId: "WCOM000023" }, drugs: [pembro], visits: ["2026-03-06"], holder, member: { eligibilityStyle: "no-status" } },
];

describe.each(DATABASE_KINDS)("eligibility agent on %s", (kind) => {
  let t: TestDatabase;
  let h: Harness;
  const clock = new SandboxClock(new Date("2026-03-01T08:00:00Z"));
  const failing = { on: false };
  /** Called with each 270 interchange as the payer receives it. */
  const received = { probe: null as null | ((x12: string) => Promise<void>) };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedSandbox(t.db.pool, scenarioClinic(scenarios), { id: "eligibility-test", meta: {} });
    h = await buildHarness({
      db: t.db, logger: pino({ level: "silent" }), clock, phase: "full",
      registry: (deps) => new AgentRegistry().register(eligibilityAgent(), deps),
      clearinghouse: (inner): Clearinghouse => ({
        ...inner,
        submitEligibility: async (x12) => {
          await received.probe?.(x12);
          return failing.on ? Promise.reject(new UpstreamError("clearinghouse timed out")) : inner.submitEligibility(x12);
        },
        submitAuthorization: (x12) => inner.submitAuthorization(x12),
        submitClaims: (x12) => inner.submitClaims(x12),
        receiveRemittances: () => inner.receiveRemittances(),
      }),
    });
  });
  afterAll(async () => t.drop());

  const verify = (appointmentId: string) => h.runtime.start("eligibility", { type: "appointment", id: appointmentId }, { id: appointmentId });
  const check = async (runId: string) => {
    const { rows } = await t.db.pool.query("SELECT outcome, reasons, facts, estimate FROM pre_service_checks WHERE run_id = $1", [runId]);
    return rows[0] as { outcome: string; reasons: string[]; facts: Record<string, unknown>; estimate: Record<string, string> | null };
  };

  it("verifies a clean Medicare visit at full autonomy: files the verification, no model call, exact estimate", async () => {
    const run = await verify("clean-a1");
    expect(run.status).toBe("completed");
    const c = await check(run.id);
    expect(c.outcome).toBe("clean");
    expect(c.facts).toMatchObject({ coverageActive: true, payerId: "SBMCR", routes: { J9271: "medical" }, deductibleRemaining: "183.00", coinsurancePercent: "20.00" });
    // 200 units × $59.726 = $11,945.20 allowed; $183.00 deductible, 20 % of $11,762.20 = $2,352.44.
    expect(c.estimate).toMatchObject({ allowed: "11945.20", deductibleApplied: "183.00", coinsurance: "2352.44", patientShare: "2535.44", cappedByOutOfPocket: false });
    const written = await h.deps.ehr.appointment("clean-a1");
    expect(written?.appointmentId).toBe("clean-a1");
    const { rows } = await t.db.pool.query("SELECT resource FROM fhir_resources WHERE resource_type = 'CoverageEligibilityResponse' AND resource->'request'->>'reference' = 'Appointment/clean-a1'");
    expect(rows).toHaveLength(1);
    const audit = await queryAudit(t.db.pool, { runId: run.id });
    expect(audit.filter((e) => e.kind === "model.call")).toHaveLength(0);
    expect(audit.filter((e) => e.kind === "tool.call").map((e) => (e.payload as { tool: string }).tool)).toEqual(["ehr.visit-chart", "clearinghouse.270", "benefits.interpret-271", "pricing.patient-estimate"]);
    expect(audit.some((e) => e.kind === "action.executed")).toBe(true);
  });

  it("a batch's 270s are on record before the payer receives them: a request entry each, committed in one flush before the first is sent", async () => {
    const appointments = ["clean-a1", "family-a1"];
    // What the log (read on another connection: only what is committed) holds as each interchange arrives at the payer.
    const seen: { traces: string[]; committed: string[] }[] = [];
    received.probe = async (x12) => {
      const traces = [...x12.matchAll(/TRN\*1\*([^*~]+)/g)].map((m) => m[1]!);
      const { rows } = await t.db.pool.query<{ payload: Buffer }>("SELECT payload FROM audit_log WHERE kind = 'tool.request'");
      const committed = rows.map((r) => (decodeAuditPayloadJson(r.payload) as { trace: string }).trace);
      seen.push({ traces, committed: committed.filter((tr) => traces.includes(tr)) });
    };
    try {
      const run = await h.runtime.start("eligibility", { type: "appointment", id: "batch-270" }, { id: "batch-270", appointments });
      expect(run.status).not.toBe("failed");
      // Two payers (Medicare, the PPO): two interchanges, each 270 already on record when it arrived.
      expect(seen).toHaveLength(2);
      for (const s of seen) expect(s.committed.sort()).toEqual(s.traces.sort());
      const audit = await queryAudit(t.db.pool, { runId: run.id });
      const requests = audit.filter((e) => e.kind === "tool.request");
      expect(requests.map((e) => e.subjectId).sort()).toEqual([...appointments].sort());
      expect(requests.every((e) => (e.payload as { tool: string }).tool === "clearinghouse.270")).toBe(true);
      // Each answer follows its request; the request keeps identifiers only (the 270 itself is in the answer's entry).
      for (const r of requests) {
        const answer = audit.find((e) => e.kind === "tool.call" && e.subjectId === r.subjectId && (e.payload as { tool: string }).tool === "clearinghouse.270")!;
        expect(answer.seq).toBeGreaterThan(r.seq);
        expect(Object.keys(r.payload as object).sort()).toEqual(["dateOfService", "interchangeControl", "payerId", "tool", "trace"]);
      }
    } finally {
      received.probe = null;
    }
  });

  it("coverage ending the day before the visit is an exception for a person, even at full autonomy", async () => {
    const run = await verify("clean-a2");
    expect(run.status).toBe("waiting");
    const c = await check(run.id);
    expect(c.reasons).toEqual(["coverage-inactive"]);
    expect(c.estimate).toBeNull();
    const reviews = await listReviewItems(t.db.pool, { runId: run.id });
    expect(reviews.map((r) => r.actionType)).toEqual(["eligibility-exception"]);
    const said = JSON.stringify(reviews[0]?.interrupt);
    expect(said).toMatch(/Inactive on 2026-03-27: the plan ended 2026-03-26 \(DTP\*347\*D8\*20260326 at segment \d+ of the 271 \(byte \d+\)\), before the visit/);
    // The evidence points into the 271 the trail keeps (ST = segment 1, byte 0).
    const [, position, byte] = /271 ST\*271\*0001 DTP\*347\*D8\*20260326 at segment (\d+) \(byte (\d+)\)/.exec(said) ?? [];
    const kept = ((await queryAudit(t.db.pool, { runId: run.id })).find((e) => e.kind === "tool.call" && (e.payload as { tool: string }).tool === "clearinghouse.270")!.payload as { output: { x12: string } }).output.x12;
    expect(kept.slice(Number(byte), Number(byte) + 20)).toBe("DTP*347*D8*20260326~");
    expect(kept.split("~").map((x) => x.trim())[Number(position) - 1]).toBe("DTP*347*D8*20260326");
  });

  it("takes the smaller of individual and family deductible remaining", async () => {
    const c = await check((await verify("family-a1")).id);
    expect(c.outcome).toBe("clean");
    expect(c.facts.deductibleRemaining).toBe("500.00");
    expect(c.estimate?.deductibleApplied).toBe("500.00");
  });

  it("reads the 271 for the clinic's network with the payer (payer configuration): out of network, the in-network coinsurance row does not apply", async () => {
    const payer = h.deps.payerRules.config.payers.find((p) => p.id === "SBCOM1")!;
    expect(h.deps.payerRules.networkStatus("SBCOM1")).toBe("in");
    payer.network = "out";
    try {
      const c = await check((await verify("family-a1")).id);
      expect(c.facts).toMatchObject({ coverageActive: true, deductibleRemaining: "500.00", coinsurancePercent: null });
    } finally {
      payer.network = "in";
    }
    expect((await check((await verify("family-a1")).id)).facts.coinsurancePercent).toBe("20.00");
  });

  it("flags a pharmacy-benefit drug scheduled as buy-and-bill, and not one supplied white-bag", async () => {
    expect((await check((await verify("pharmacy-a1")).id)).reasons).toEqual(["pharmacy-benefit-buy-and-bill"]);
    const white = await check((await verify("whitebag-a1")).id);
    expect(white.reasons).toEqual([]);
    expect(white.facts.routes).toEqual({ J2506: "pharmacy" });
  });

  it("an AAA rejection, no coverage on file and an unreachable payer are exceptions with what failed", async () => {
    const unknown = await check((await verify("unknown-a1")).id);
    expect(unknown.reasons).toEqual(["aaa-rejection-subscriber"]);
    expect(unknown.facts.rejections).toEqual([{ loop: "2100C", code: "75", followUp: "C" }]);
    expect((await check((await verify("nocov-a1")).id)).reasons).toEqual(["coverage-not-on-file"]);
    failing.on = true;
    try {
      const run = await verify("family-a1");
      expect(run.status).toBe("waiting");
      expect((await check(run.id)).reasons).toEqual(["payer-unreachable"]);
      const reviews = await listReviewItems(t.db.pool, { runId: run.id });
      expect(JSON.stringify(reviews[0]?.interrupt)).toContain("clearinghouse timed out");
    } finally {
      failing.on = false;
    }
  });

  it("a patient covered as a spouse: the 270 asks in 2000D, the payer answers in 2000D/2100D/2110D, and the agent verifies her active", async () => {
    const run = await verify("spouse-a1");
    expect(run.status).toBe("completed");
    const c = await check(run.id);
    expect(c.outcome).toBe("clean");
    // Her own deductible: $1,300 left; the family's: $500 — the smaller.
    expect(c.facts).toMatchObject({ coverageActive: true, status: "active", finding: "active", subject: "dependent", deductibleRemaining: "500.00", routes: { J9271: "medical" } });
    const audit = await queryAudit(t.db.pool, { runId: run.id });
    const exchange = audit.find((e) => e.kind === "tool.call" && (e.payload as { tool: string }).tool === "clearinghouse.270")!.payload as { input: { x12: string }; output: { x12: string } };
    const sent = exchange.input.x12.replace(/\r?\n/g, "");
    expect(sent).toMatch(/HL\*3\*2\*22\*1~NM1\*IL\*1\*Holder\*Robin\*\*\*\*MI\*WCOM000020~DMG\*D8\*19560711~HL\*4\*3\*23\*0~TRN\*1\*\w+\*9\d{9}~NM1\*03\*1\*Patientspouse\*Test~DMG\*D8\*19580402\*F~DTP\*291\*D8\*20260306~EQ/);
    const received = exchange.output.x12.replace(/\r?\n/g, "");
    expect(received).toMatch(/HL\*3\*2\*22\*1~NM1\*IL\*1\*HOLDER\*ROBIN\*\*\*\*MI\*WCOM000020~DMG\*D8\*19560711\*M~HL\*4\*3\*23\*0~TRN\*2/);
    expect(received).toContain("INS*N*01~");
    const decision = audit.find((e) => e.kind === "decision" && (e.payload as { actionType: string }).actionType === "file-verification")!.payload as { payload: { inforce: boolean; disposition: string }; evidence: { ref: string; note: string }[]; rationale: string };
    expect(decision.payload).toMatchObject({ inforce: true, disposition: "Verified for 2026-03-06: Commercial PPO active (patient covered as a dependent)" });
    expect(decision.evidence.map((e) => e.ref)).toEqual(expect.arrayContaining([expect.stringMatching(/^271 ST\*271\*\d+ NM1\*03\*1\*PATIENTSPOUSE\*TEST at segment \d+ \(byte \d+\)$/), expect.stringMatching(/EB\*C\*FAM\*30\*\*\*29\*500\.00 at segment \d+/)]));
    expect(decision.rationale).toMatch(/Active on 2026-03-06: EB\*1\*IND\*30\^1\^78\^50\^98\*\*Commercial PPO \(active coverage\) at segment \d+ of the 271 \(byte \d+\) for the dependent PATIENTSPOUSE, TEST/);
  });

  it("a dependent the payer does not have, a payer still investigating, and an answer without a status are each a person's, said as such", async () => {
    const nodep = await check((await verify("nodep-a1")).id);
    expect(nodep.reasons).toEqual(["aaa-rejection-dependent"]);
    expect(nodep.facts.rejections).toEqual([{ loop: "2100D", code: "67", followUp: "C" }]);
    for (const [id, reason, said] of [["pending-a1", "coverage-pending-investigation", /EB\*5.*active, pending investigation/], ["nostatus-a1", "coverage-undetermined", /no coverage status \(EB01 1–8\).*it sent \d+ benefit rows/]] as const) {
      const run = await verify(id);
      expect(run.status).toBe("waiting");
      const c = await check(run.id);
      expect(c.reasons).toEqual([reason]);
      expect(c.facts.coverageActive).toBe(false);
      const reviews = await listReviewItems(t.db.pool, { runId: run.id });
      expect(JSON.stringify(reviews.map((r) => r.interrupt))).toMatch(said);
      // The verification filed in the chart never says active unless the rule found it so.
      const audit = await queryAudit(t.db.pool, { runId: run.id });
      const filed = audit.find((e) => e.kind === "decision" && (e.payload as { actionType: string }).actionType === "file-verification")!.payload as { payload: { inforce: boolean | null; disposition: string; outcome: string } };
      expect(filed.payload.inforce).toBeNull();
      expect(filed.payload.outcome).toBe("partial");
      expect(filed.payload.disposition).toMatch(/^Not verified for 2026-03-06/);
      expect(filed.payload.disposition).not.toMatch(/\bactive\b/i);
    }
  });

  it("advisory: the clean verification waits for staff; accepting files it once, and a retried sweep job does not file it again", async () => {
    await t.db.pool.query("UPDATE agent_autonomy SET phase = 'advisory' WHERE agent = 'eligibility'");
    try {
      const count = async () => (await t.db.pool.query("SELECT count(*)::int AS n FROM fhir_resources WHERE resource_type = 'CoverageEligibilityResponse' AND resource->'request'->>'reference' = 'Appointment/whitebag-a1'")).rows[0].n as number;
      const before = await count();
      const item = { id: "whitebag-a1", sweepId: "sweep-x" };
      const run = await h.runtime.start("eligibility", { type: "appointment", id: item.id }, item);
      expect(run.status).toBe("waiting");
      expect(await count()).toBe(before);
      const [review] = await listReviewItems(t.db.pool, { runId: run.id });
      const decided = await h.runtime.decide(review!.id, { type: "accept" }, "staff:test");
      expect(decided.run.status).toBe("completed");
      expect(await count()).toBe(before + 1);
      // The same sweep's check run again (a retried job now finds the check and starts none): the
      // same idempotency key files nothing twice, and the sweep keeps its one check (migration 0017).
      await t.db.pool.query("UPDATE agent_autonomy SET phase = 'full' WHERE agent = 'eligibility'");
      const again = await h.runtime.start("eligibility", { type: "appointment", id: item.id }, item);
      expect(again).toMatchObject({ status: "failed", error: expect.stringContaining("had already checked") });
      expect(await count()).toBe(before + 1);
      expect((await t.db.pool.query("SELECT run_id FROM pre_service_checks WHERE sweep_id = 'sweep-x' AND appointment_id = 'whitebag-a1'")).rows).toEqual([{ run_id: run.id }]);
    } finally {
      await t.db.pool.query("UPDATE agent_autonomy SET phase = 'full' WHERE agent = 'eligibility'");
    }
  });

  it("partial autonomy: a verification whose estimate is priced from an earlier quarter's ASP file goes to a person, saying why", async () => {
    await t.db.pool.query("UPDATE agent_autonomy SET phase = 'partial' WHERE agent = 'eligibility'");
    try {
      // 2026 Q1: priced from the quarter in force, confident, filed by the agent.
      const q1 = await verify("quarters-a1");
      expect(q1.status).toBe("completed");
      expect((await check(q1.id)).estimate).toMatchObject({ allowed: "11945.20", patientShare: "2389.04", priceQuarter: "2026Q1", stale: false });
      // 2026 Q4, only the Q1 file loaded: priced from Q1, marked stale, less confident — under the 0.95 threshold.
      const q4 = await verify("quarters-a2");
      expect(q4.status).toBe("waiting");
      const estimate = (await check(q4.id)).estimate as unknown as Record<string, unknown>;
      expect(estimate).toMatchObject({ allowed: "11945.20", priceQuarter: "2026Q1", quarterInForce: "2026Q4", stale: true });
      expect(estimate.confidence).toBeLessThan(0.95);
      const [review] = await listReviewItems(t.db.pool, { runId: q4.id });
      expect(review).toMatchObject({ actionType: "file-verification", confidence: 0.9 });
      expect(review?.confidence).toBeLessThan(0.95);
      expect(review?.rationale).toContain("priced from the 2026 Q1 ASP file because the 2026 Q4 file is not loaded");
      expect(JSON.stringify(review?.draft)).toContain("priced from the 2026 Q1 ASP file: the 2026 Q4 file is not loaded");
    } finally {
      await t.db.pool.query("UPDATE agent_autonomy SET phase = 'full' WHERE agent = 'eligibility'");
    }
  });

  it("a missing appointment fails the run with the reason, and the process goes on", async () => {
    const run = await verify("no-such-appointment");
    expect(run.status).toBe("failed");
    expect(run.error).toContain("No appointment no-such-appointment");
  });
});
