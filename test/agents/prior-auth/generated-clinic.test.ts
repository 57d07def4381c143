import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { priorAuthAgent } from "../../../agents/prior-auth/graph.js";
import { AgentRegistry } from "../../../src/orchestration/registry.js";
import { buildHarness, SandboxClock, seedGeneratedClinic, type Harness } from "../../../src/sandbox/harness.js";
import type { SandboxClinic } from "../../../tools/sandbox/world.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/databases.js";

// A cross-check against the generator's truth (one database kind: the database paths are covered by prior-auth-agent.test.ts).
describe("prior-auth agent on a generated sandbox clinic", () => {
  let t: TestDatabase;
  let h: Harness;
  let clinic: SandboxClinic;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    clinic = await seedGeneratedClinic(t.db, { patients: 30, weeks: 2, seed: 11, asOf: "2026-03-02", defects: { expiredAuth: 0.2, noAuthOnFile: 0.2 } });
    h = await buildHarness({ db: t.db, logger: pino({ level: "silent" }), clock: new SandboxClock(new Date("2026-03-02T06:00:00Z")), phase: "advisory",
      registry: (deps) => new AgentRegistry().register(priorAuthAgent(), deps) });
  });
  afterAll(async () => t.drop());

  it("agrees with the truth on which drugs need an authorization and which have a valid one", async () => {
    const upcoming = clinic.truth.filter((x) => x.dateOfService >= "2026-03-02").slice(0, 25);
    const disagreements: string[] = [];
    let required = 0;
    for (const truth of upcoming) {
      const run = await h.runtime.start("prior-auth", { type: "appointment", id: truth.appointmentId }, { id: truth.appointmentId });
      const { rows: [c] } = await t.db.pool.query("SELECT facts FROM pre_service_checks WHERE run_id = $1", [run.id]);
      const drugs = (c.facts as { drugs: { hcpcs: string; authRequired: boolean; authValid: boolean | null; reasons: string[] }[] }).drugs;
      for (const d of truth.drugs) {
        const got = drugs.find((x) => x.hcpcs === d.hcpcs)!;
        if (d.authRequired) required += 1;
        if (got.authRequired !== d.authRequired || got.authValid !== d.authValid) disagreements.push(`${truth.appointmentId} ${d.hcpcs}: truth ${d.authRequired}/${d.authValid}, agent ${got.authRequired}/${got.authValid}`);
        if (d.authValid === false) expect(got.reasons.some((r) => r === "auth-missing" || r === "auth-expired")).toBe(true);
      }
    }
    expect(required).toBeGreaterThan(10);
    expect(disagreements).toEqual([]);
  });
});
