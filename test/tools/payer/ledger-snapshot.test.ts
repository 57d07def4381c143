/**
 * The batch reads and writes of the authorization ledger: a snapshot answers exactly what the
 * per-call functions answer (same rows, same order) over a varied ledger, draws units in memory
 * as recordUsage does in SQL, and costs the same few statements whatever the number of patients;
 * recordUsages writes many visits in one statement with recordUsage's semantics.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorizationHistory, authorizationsFor, insertAuthorizationRequest, loadLedgerSnapshot, pendedRequestsDue, recordUsage, recordUsages,
  requestsFor, updateAuthorizationRequest, upsertAuthorization, usageFor,
  type AuthRequestStatus, type AuthorizationUsage, type LedgerAuthorization, type LedgerSnapshot,
} from "../../../tools/payer/authorization-ledger.js";
import { countingPool } from "../../helpers/counting-pool.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";

const TODAY = "2026-03-10";
const PAYERS = ["SBCOM1", "SBMA01", "SBMCD1"];
const DRUGS = ["J9271", "J9035", "J2505", "J9312"];
const AUTH_STATUSES: LedgerAuthorization["status"][] = ["approved", "approved", "pended", "denied", "cancelled"];
const SOURCES: LedgerAuthorization["source"][] = ["on-file", "278", "staff"];
const REQUEST_STATUSES: AuthRequestStatus[] = ["submitted", "pended", "approved", "modified", "denied", "rejected"];
/** Next checks of pended requests: unscheduled, past, today, future. */
const NEXT_CHECKS = [null, "2026-03-02", "2026-03-09", TODAY, "2026-03-11", "2026-04-01"];
const END_DATES = ["2026-02-28", "2026-03-31", "2026-06-30", "2026-12-31"];
/** Appointment ids whose order depends on the collation's handling of case and punctuation. */
const ODD_APPOINTMENTS = ["A-10", "a10", "A9", "a_1", "B", "b"];
/** Patients in the batch, and others whose rows must stay out of it (but count in the history). */
const LOADED = Array.from({ length: 16 }, (_, i) => `pat-${String(i + 1).padStart(2, "0")}`);
const OTHERS = Array.from({ length: 6 }, (_, i) => `other-${i + 1}`);

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): { int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]! };
}

const auth = (a: Partial<LedgerAuthorization> & Pick<LedgerAuthorization, "authNumber" | "payerId" | "patientId" | "hcpcs">): LedgerAuthorization => ({
  memberId: `M-${a.patientId}`, status: "approved", unitsApproved: 1600, unitsUsedPrior: 0, start: "2026-01-01", end: "2026-12-31",
  diagnosisCodes: ["C3490"], source: "on-file", ...a,
});

/** Seeds a varied ledger: every status and source, shared and tied dates, usage, requests in every status. */
async function seedLedger(db: Pick<pg.Pool, "query">): Promise<void> {
  const rnd = random(20260310);
  const at = (second: number): Date => new Date(Date.UTC(2026, 0, 1) + second * 1000);
  const now = at(0);
  let seq = 0;
  let clock = 0;
  for (const patientId of [...LOADED, ...OTHERS]) {
    for (let i = rnd.int(5); i > 0; i -= 1) {
      seq += 1;
      const a = auth({
        authNumber: `AUTH-${String(seq).padStart(4, "0")}`, payerId: rnd.pick(PAYERS), patientId, hcpcs: rnd.pick(DRUGS),
        status: rnd.pick(AUTH_STATUSES), source: rnd.pick(SOURCES), end: rnd.pick(END_DATES), unitsApproved: 100 * (1 + rnd.int(20)),
        unitsUsedPrior: 10 * rnd.int(5), diagnosisCodes: rnd.int(2) === 0 ? [] : ["C3490", "C3491"].slice(0, 1 + rnd.int(2)),
      });
      await upsertAuthorization(db, a, now);
      for (let u = rnd.int(4); u > 0; u -= 1) {
        await recordUsage(db, {
          payerId: a.payerId, authNumber: a.authNumber, appointmentId: rnd.int(3) === 0 ? rnd.pick(ODD_APPOINTMENTS) : `${patientId}-v${rnd.int(9)}`,
          dateOfService: rnd.pick(["2026-01-15", "2026-02-05", "2026-02-26", "2026-03-06"]), units: 100 * rnd.int(4),
        }, now);
      }
    }
    for (let i = rnd.int(6); i > 0; i -= 1) {
      seq += 1;
      clock += 1 + rnd.int(3);
      await request(db, { id: `req-${String(seq).padStart(4, "0")}`, patientId, payerId: rnd.pick(PAYERS), hcpcs: rnd.pick(DRUGS),
        status: rnd.pick(REQUEST_STATUSES), nextCheckOn: rnd.pick(NEXT_CHECKS) }, at(clock));
    }
  }
  // Hand-made cases. One number under two payers for one patient and drug (different end dates).
  await upsertAuthorization(db, auth({ authNumber: "SHARED-1", payerId: "SBCOM1", patientId: "pat-01", hcpcs: "J9271", end: "2026-06-30" }), now);
  await upsertAuthorization(db, auth({ authNumber: "SHARED-1", payerId: "SBMA01", patientId: "pat-01", hcpcs: "J9271", end: "2026-09-30" }), now);
  // Same end date: the auth number orders them.
  await upsertAuthorization(db, auth({ authNumber: "TIE-B", payerId: "SBCOM1", patientId: "pat-02", hcpcs: "J9035", end: "2026-06-30" }), now);
  await upsertAuthorization(db, auth({ authNumber: "TIE-A", payerId: "SBCOM1", patientId: "pat-02", hcpcs: "J9035", end: "2026-06-30" }), now);
  // Visits on the same day drawing from one authorization: the appointment id orders them.
  for (const appointmentId of ODD_APPOINTMENTS) {
    await recordUsage(db, { payerId: "SBCOM1", authNumber: "TIE-A", appointmentId, dateOfService: "2026-03-06", units: 10 }, now);
  }
  // Requests created in the same second: the id orders them (newest first by time).
  for (const id of ["same-b", "same-a", "same-c"]) {
    await request(db, { id, patientId: "pat-03", payerId: "SBMA01", hcpcs: "J9312", status: "approved", nextCheckOn: null }, at(clock + 1));
  }
  // Pended, due and not, for one patient and drug.
  for (const [i, nextCheckOn] of NEXT_CHECKS.entries()) {
    await request(db, { id: `pended-${i}`, patientId: "pat-04", payerId: "SBCOM1", hcpcs: "J9271", status: "pended", nextCheckOn }, at(clock + 10 + i));
  }
  // …with the same next check as another: the older first (whatever the ids).
  await request(db, { id: "pended-z", patientId: "pat-04", payerId: "SBCOM1", hcpcs: "J9035", status: "pended", nextCheckOn: null }, at(clock + 5));
  await request(db, { id: "pended-a", patientId: "pat-04", payerId: "SBMA01", hcpcs: "J9271", status: "pended", nextCheckOn: "2026-03-02" }, at(clock + 30));
}

async function request(db: Pick<pg.Pool, "query">, r: { id: string; patientId: string; payerId: string; hcpcs: string; status: AuthRequestStatus; nextCheckOn: string | null }, createdAt: Date): Promise<void> {
  await insertAuthorizationRequest(db, {
    id: r.id, idempotencyKey: `key-${r.id}`, appointmentId: `${r.patientId}-v1`, patientId: r.patientId, payerId: r.payerId, memberId: `M-${r.patientId}`,
    hcpcs: r.hcpcs, units: 200, trace: `TRN-${r.id}`, x12Request: `ISA*${r.id}~`, pasBundle: { resourceType: "Bundle", id: r.id },
  }, createdAt);
  if (r.status === "submitted") return;
  const certified = r.status === "approved" || r.status === "modified";
  await updateAuthorizationRequest(db, r.id, {
    status: r.status, authNumber: certified ? `CERT-${r.id}` : null, decision: { action: r.status, messages: ["é ü"] },
    x12Response: `ISA*response-${r.id}~`, nextCheckOn: r.status === "pended" ? r.nextCheckOn : null,
  }, new Date(createdAt.getTime() + 500));
}

/** Every (payer, auth number) of the loaded patients. */
async function loadedAuths(db: Pick<pg.Pool, "query">): Promise<{ payerId: string; authNumber: string }[]> {
  const { rows } = await db.query<{ payerId: string; authNumber: string }>(
    `SELECT payer_id AS "payerId", auth_number AS "authNumber" FROM authorizations WHERE patient_id = ANY($1::text[]) ORDER BY 1, 2`, [LOADED]);
  return rows;
}

/** Compares every accessor of the snapshot with its per-call function; returns how many rows were compared. */
async function expectSameAsPerCall(db: Pick<pg.Pool, "query">, snapshot: LedgerSnapshot): Promise<number> {
  let rows = 0;
  for (const patientId of LOADED) {
    for (const hcpcs of [...DRUGS, "J0000"]) {
      for (const payerId of [undefined, null, ...PAYERS, "NOPAYER"]) {
        const expected = await authorizationsFor(db, { patientId, hcpcs, payerId });
        expect(snapshot.authorizations({ patientId, hcpcs, payerId }), `${patientId} ${hcpcs} ${payerId}`).toEqual(expected);
        rows += expected.length;
      }
      const expected = await requestsFor(db, patientId, hcpcs);
      expect(snapshot.requests(patientId, hcpcs), `${patientId} ${hcpcs}`).toEqual(expected);
      rows += expected.length;
    }
    const due = await pendedRequestsDue(db, TODAY, patientId);
    expect(snapshot.pendedDue(patientId), patientId).toEqual(due);
    rows += due.length;
  }
  for (const { payerId, authNumber } of await loadedAuths(db)) {
    const expected = await usageFor(db, payerId, authNumber);
    expect(snapshot.usage(payerId, authNumber), `${payerId}/${authNumber}`).toEqual(expected);
    rows += expected.length;
  }
  for (const payerId of [...PAYERS, "NOPAYER"]) {
    for (const hcpcs of [...DRUGS, "J0000"]) {
      expect(snapshot.history(payerId, hcpcs), `${payerId} ${hcpcs}`).toEqual(await authorizationHistory(db, payerId, hcpcs));
    }
  }
  return rows;
}

describe.each(DATABASE_KINDS)("ledger snapshot on %s", (kind) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedLedger(t.db.pool);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("answers exactly what the per-call functions answer, over every status, source, payer and drug", async () => {
    const snapshot = await loadLedgerSnapshot(t.db.pool, { patientIds: LOADED, today: TODAY });
    const compared = await expectSameAsPerCall(t.db.pool, snapshot);
    expect(compared).toBeGreaterThan(150);
    // The varied ledger does cover what it should.
    const pended = snapshot.pendedDue("pat-04");
    expect(pended.map((r) => [r.id, r.nextCheckOn])).toEqual([
      ["pended-z", null], ["pended-0", null], ["pended-1", "2026-03-02"], ["pended-a", "2026-03-02"], ["pended-2", "2026-03-09"], ["pended-3", TODAY]]);
    expect(snapshot.requests("pat-03", "J9312").filter((r) => r.id.startsWith("same-")).map((r) => r.id)).toEqual(["same-a", "same-b", "same-c"]);
    expect(snapshot.authorizations({ patientId: "pat-02", hcpcs: "J9035", payerId: "SBCOM1" }).filter((a) => a.authNumber.startsWith("TIE")).map((a) => a.authNumber))
      .toEqual(["TIE-A", "TIE-B"]);
    expect(snapshot.authorizations({ patientId: "pat-01", hcpcs: "J9271" }).filter((a) => a.authNumber === "SHARED-1").map((a) => a.payerId)).toEqual(["SBMA01", "SBCOM1"]);
    const statuses = await t.db.pool.query("SELECT DISTINCT status FROM authorization_requests WHERE patient_id = ANY($1::text[])", [LOADED]);
    expect(statuses.rows.map((r: { status: string }) => r.status).sort()).toEqual([...REQUEST_STATUSES].sort());
    const history = [...PAYERS].flatMap((p) => DRUGS.map((d) => snapshot.history(p, d)));
    expect(history.some((h) => h.approved > 0) && history.some((h) => h.denied > 0)).toBe(true);
  });

  it("keeps other patients out, and refuses questions about them", async () => {
    const snapshot = await loadLedgerSnapshot(t.db.pool, { patientIds: ["pat-05", "pat-05", "nobody"], today: TODAY });
    expect(snapshot.authorizations({ patientId: "nobody", hcpcs: "J9271" })).toEqual([]);
    expect(snapshot.requests("nobody", "J9271")).toEqual([]);
    expect(snapshot.pendedDue("nobody")).toEqual([]);
    expect(() => snapshot.authorizations({ patientId: "pat-06", hcpcs: "J9271" })).toThrow(/not in this ledger snapshot/);
    expect(() => snapshot.requests("pat-06", "J9271")).toThrow(/not in this ledger snapshot/);
    expect(() => snapshot.pendedDue("pat-06")).toThrow(/not in this ledger snapshot/);
    expect(() => snapshot.usage("SBCOM1", "TIE-A")).toThrow(/not in this ledger snapshot/);
    await expect(loadLedgerSnapshot(t.db.pool, { patientIds: LOADED, today: "03/10/2026" })).rejects.toThrow(/ISO date/);
  });

  it("costs the same few statements whatever the number of patients", async () => {
    const counts = [];
    for (const patientIds of [[], ["pat-01"], LOADED, [...LOADED, ...Array.from({ length: 500 }, (_, i) => `absent-${i}`)]]) {
      const c = countingPool(t.db.pool);
      await loadLedgerSnapshot(c.pool, { patientIds, today: TODAY });
      counts.push(c.statements());
      // The database's collation is read once per pool.
      await loadLedgerSnapshot(c.pool, { patientIds, today: TODAY });
      counts.push(c.statements() - counts.at(-1)!);
    }
    expect(counts).toEqual([5, 4, 5, 4, 5, 4, 5, 4]);
  });

  it("draws units in memory as recordUsage does in SQL, so a later visit in the batch sees them", async () => {
    const c = countingPool(t.db.pool);
    const snapshot = await loadLedgerSnapshot(c.pool, { patientIds: LOADED, today: TODAY });
    const loaded = c.statements();
    const before = await t.db.pool.query("SELECT count(*)::int AS n FROM authorization_usage");
    const tie = (appointmentId: string, dateOfService: string, units: number): AuthorizationUsage =>
      ({ payerId: "SBCOM1", authNumber: "TIE-A", appointmentId, dateOfService, units });
    const others = (appointmentId: string) => snapshot.usage("SBCOM1", "TIE-A").filter((u) => u.appointmentId !== appointmentId).reduce((s, u) => s + u.units, 0);
    const draws: AuthorizationUsage[] = [
      tie("pat-02-next", "2026-03-27", 200), // a new visit, last
      tie("A5", "2026-03-06", 30), // a new visit among same-day ones
      tie("a_1", "2026-03-06", 70), // a correction of units
      tie("A9", "2026-03-20", 40), // a correction moving the visit
      tie("0-first", "2026-01-02", 5), // a new visit, first
      tie("A9", "2026-03-20", 45), // corrected again
      { payerId: "SBMA01", authNumber: "SHARED-1", appointmentId: "pat-01-v1", dateOfService: "2026-03-06", units: 100 },
    ];
    const seenBefore = others("pat-02-later");
    for (const u of draws) snapshot.recordUsage(u);
    // Memory only: no statement, no row.
    expect(c.statements()).toBe(loaded);
    expect((await t.db.pool.query("SELECT count(*)::int AS n FROM authorization_usage")).rows).toEqual(before.rows);
    // Another visit of the same patient sees every unit drawn so far; the drawing visit does not count its own.
    expect(others("pat-02-later")).toBe(seenBefore + 200 + 30 + (70 - 10) + (45 - 10) + 5);
    expect(others("pat-02-next")).toBe(others("pat-02-later") - 200);
    // The same draws in SQL leave the ledger where the snapshot is.
    for (const u of draws) await recordUsage(t.db.pool, u, new Date());
    for (const { payerId, authNumber } of await loadedAuths(t.db.pool)) {
      expect(snapshot.usage(payerId, authNumber), `${payerId}/${authNumber}`).toEqual(await usageFor(t.db.pool, payerId, authNumber));
    }
    // A returned list is the caller's: changing it changes nothing in the snapshot.
    snapshot.usage("SBCOM1", "TIE-A").splice(0);
    expect(snapshot.usage("SBCOM1", "TIE-A")).toEqual(await usageFor(t.db.pool, "SBCOM1", "TIE-A"));
    // What the table would refuse: an authorization not on file (foreign key), negative or fractional units.
    expect(() => snapshot.recordUsage({ ...tie("x", "2026-03-06", 1), authNumber: "NOPE" })).toThrow(/not in this ledger snapshot/);
    expect(() => snapshot.recordUsage(tie("x", "2026-03-06", -1))).toThrow(RangeError);
    expect(() => snapshot.recordUsage(tie("x", "2026-03-06", 1.5))).toThrow(RangeError);
    expect(() => snapshot.recordUsage(tie("x", "6 March", 1))).toThrow(RangeError);
  });

  it("recordUsages writes many visits in one statement, the last draw of a visit winning, idempotently", async () => {
    const { payerId, authNumber } = (await loadedAuths(t.db.pool)).find((a) => a.authNumber.startsWith("AUTH-"))!;
    const existing = (await usageFor(t.db.pool, "SBCOM1", "TIE-A"))[0]!;
    const usages: AuthorizationUsage[] = [
      { payerId, authNumber, appointmentId: "batch-1", dateOfService: "2026-03-13", units: 100 },
      { payerId: "SBCOM1", authNumber: "TIE-A", appointmentId: "batch-1", dateOfService: "2026-03-13", units: 50 },
      { ...existing, units: existing.units + 1, dateOfService: "2026-03-14" },
      { payerId, authNumber, appointmentId: "batch-2", dateOfService: "2026-03-20", units: 300 },
      { payerId, authNumber, appointmentId: "batch-1", dateOfService: "2026-03-12", units: 150 },
    ];
    // The oracle: the same draws one by one, in memory (which matches recordUsage, above).
    const oracle = await loadLedgerSnapshot(t.db.pool, { patientIds: LOADED, today: TODAY });
    for (const u of usages) oracle.recordUsage(u);
    const untouched = await t.db.pool.query("SELECT payer_id, auth_number, appointment_id, recorded_at FROM authorization_usage ORDER BY 1, 2, 3");

    const now = new Date("2026-03-10T12:00:00.123Z");
    const c = countingPool(t.db.pool);
    await recordUsages(c.pool, usages, now);
    expect(c.statements()).toBe(1);
    for (const a of [{ payerId, authNumber }, { payerId: "SBCOM1", authNumber: "TIE-A" }]) {
      expect(await usageFor(t.db.pool, a.payerId, a.authNumber)).toEqual(oracle.usage(a.payerId, a.authNumber));
    }
    const recorded = async () => (await t.db.pool.query<{ k: string; at: Date }>(
      "SELECT payer_id || '/' || auth_number || '/' || appointment_id AS k, recorded_at AS at FROM authorization_usage ORDER BY 1")).rows;
    const touched = new Set(usages.map((u) => `${u.payerId}/${u.authNumber}/${u.appointmentId}`));
    for (const r of await recorded()) {
      if (touched.has(r.k)) expect(r.at.toISOString(), r.k).toBe(now.toISOString());
    }
    expect((await recorded()).filter((r) => !touched.has(r.k)).length).toBe(untouched.rows.length - 1);

    // Idempotent: the same batch again changes nothing but the time recorded.
    const later = new Date("2026-03-10T13:00:00Z");
    const rows = await recorded();
    await recordUsages(t.db.pool, usages, later);
    const again = await recorded();
    expect(again.map((r) => r.k)).toEqual(rows.map((r) => r.k));
    for (const { payerId: p, authNumber: n } of await loadedAuths(t.db.pool)) {
      expect(await usageFor(t.db.pool, p, n), `${p}/${n}`).toEqual(oracle.usage(p, n));
    }
    expect(again.filter((r) => touched.has(r.k)).every((r) => r.at.toISOString() === later.toISOString())).toBe(true);

    // Nothing to write: no statement.
    const idle = countingPool(t.db.pool);
    await recordUsages(idle.pool, [], now);
    expect(idle.statements()).toBe(0);
  });

  // One bad row (an authorization not on file): the statement fails whole, and the connection stays usable.
  it("recordUsages writes nothing when one usage is refused", async () => {
    const [usage] = await usageFor(t.db.pool, "SBCOM1", "TIE-A");
    const now = new Date();
    await expect(recordUsages(t.db.pool, [{ ...usage!, appointmentId: "batch-9" }, { ...usage!, authNumber: "NOPE" }], now)).rejects.toThrow();
    expect((await t.db.pool.query("SELECT count(*)::int AS n FROM authorization_usage WHERE appointment_id = 'batch-9'")).rows).toEqual([{ n: 0 }]);
  });

  it("a snapshot taken after the batch's writes still equals the per-call functions", async () => {
    expect(await expectSameAsPerCall(t.db.pool, await loadLedgerSnapshot(t.db.pool, { patientIds: LOADED, today: TODAY }))).toBeGreaterThan(150);
  });
});
