/** The scorecard by day and week: the same definitions as the totals, grouped; and the cache the console reads it through. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScorecardCache } from "../../src/governance/scorecard-cache.js";
import { bucketsOf, computeScorecard, computeScorecardSeries } from "../../src/governance/scorecard.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";
import { seedScorecardVisits, type SeededVisit } from "../helpers/scorecard-seed.js";

// 2026-03-02 is a Monday.
const visits: SeededVisit[] = [
  { appointment: "Appointment/a1", dateOfService: "2026-03-02", checkedAt: "2026-02-26T10:00:00Z", auth: { required: true, valid: true }, estimate: "priced" },
  { appointment: "Appointment/a2", dateOfService: "2026-03-03", checkedAt: "2026-03-02T10:00:00Z", auth: { required: true, valid: false }, reasons: ["auth-missing"], estimate: "stale", reviewed: true },
  { appointment: "Appointment/a3", dateOfService: "2026-03-03", checkedAt: "2026-02-27T10:00:00Z", reasons: ["coverage-inactive"], estimate: "unpriced", reviewed: true },
  { appointment: "Appointment/a4", dateOfService: "2026-03-10", checkedAt: "2026-03-05T10:00:00Z", auth: { required: true, valid: true }, reasons: ["coverage-inactive"], estimate: "priced" },
  { appointment: "Appointment/a5", dateOfService: "2026-03-12", checkedAt: "2026-03-11T10:00:00Z", auth: { required: false, valid: false }, estimate: "priced" },
];
const range = { from: "2026-03-01", to: "2026-03-14" };

describe.each(DATABASE_KINDS)("scorecard series (%s)", (kind) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    await seedScorecardVisits(tdb.db.pool, visits);
  });
  afterAll(async () => tdb?.drop());

  it("lists every bucket of the range, weeks starting on Monday", () => {
    expect(bucketsOf(range, "week")).toEqual(["2026-02-23", "2026-03-02", "2026-03-09"]);
    expect(bucketsOf({ from: "2026-03-01", to: "2026-03-03" }, "day")).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
  });

  it("counts each measure in the bucket of the date of service, and the buckets add up to the totals", async () => {
    const totals = await computeScorecard(tdb.db.pool, range);
    const days = await computeScorecardSeries(tdb.db.pool, range, "day");
    const weeks = await computeScorecardSeries(tdb.db.pool, range, "week");
    expect(days).toHaveLength(14);
    expect(weeks.map((w) => w.bucket)).toEqual(["2026-02-23", "2026-03-02", "2026-03-09"]);
    const week1 = weeks[1]!;
    expect(week1.appointments).toBe(3);
    expect(week1.authorizationSuccessRate).toEqual({ rate: 0.5, numerator: 1, denominator: 2 });
    expect(week1.automationRate).toEqual({ rate: 0.3333, numerator: 1, denominator: 3 });
    expect(week1.exceptionsByReason).toEqual({ "auth-missing": 1, "coverage-inactive": 1 });
    // a3 flagged 4 days ahead, a2 one day ahead.
    expect(week1.flaggedAtLeastTwoDaysBefore).toEqual({ rate: 0.5, numerator: 1, denominator: 2 });
    expect(week1.patientEstimatesProduced).toBe(2);
    expect(weeks[0]!.appointments).toBe(0);
    expect(days.find((d) => d.bucket === "2026-03-03")?.appointments).toBe(2);
    for (const series of [days, weeks]) {
      const sum = (pick: (p: (typeof series)[number]) => number) => series.reduce((s, p) => s + pick(p), 0);
      expect(sum((p) => p.appointments)).toBe(totals.appointments);
      expect(sum((p) => p.authorizationSuccessRate.numerator)).toBe(totals.authorizationSuccessRate.numerator);
      expect(sum((p) => p.authorizationSuccessRate.denominator)).toBe(totals.authorizationSuccessRate.denominator);
      expect(sum((p) => p.automationRate.numerator)).toBe(totals.automationRate.numerator);
      expect(sum((p) => p.automationRate.denominator)).toBe(totals.automationRate.denominator);
      expect(sum((p) => p.flaggedAtLeastTwoDaysBefore.numerator)).toBe(totals.flaggedAtLeastTwoDaysBefore.numerator);
      expect(sum((p) => p.flaggedAtLeastTwoDaysBefore.denominator)).toBe(totals.flaggedAtLeastTwoDaysBefore.denominator);
      expect(sum((p) => p.patientEstimatesProduced)).toBe(totals.patientEstimatesProduced);
      expect(sum((p) => p.exceptionsByReason["coverage-inactive"] ?? 0)).toBe(totals.exceptionsByReason["coverage-inactive"]);
    }
  });

  it("caches a range: fresh for a few seconds, then served stale while one refresh runs, recomputed after a long pause", async () => {
    let now = Date.parse("2026-03-14T12:00:00Z");
    let queries = 0;
    const counting = { query: ((...args: Parameters<typeof tdb.db.pool.query>) => { queries += 1; return tdb.db.pool.query(...args); }) as typeof tdb.db.pool.query };
    const cache = new ScorecardCache(counting, { freshMs: 5_000, staleMs: 60_000, now: () => now });
    // Concurrent first reads share one computation.
    const [a, b] = await Promise.all([cache.get(range, "week"), cache.get(range, "week")]);
    expect(a).toBe(b);
    const perComputation = queries;
    expect(a.totals.appointments).toBe(5);
    now += 4_000;
    expect(await cache.get(range, "week")).toBe(a);
    expect(queries).toBe(perComputation);
    // Stale: the old view at once, a new one behind it.
    await seedScorecardVisits(tdb.db.pool, [{ appointment: "Appointment/a6", dateOfService: "2026-03-13", checkedAt: "2026-03-12T10:00:00Z", estimate: "priced" }]);
    now += 2_000;
    expect(await cache.get(range, "week")).toBe(a);
    await new Promise((r) => setTimeout(r, 300));
    const refreshed = await cache.get(range, "week");
    expect(refreshed).not.toBe(a);
    expect(refreshed.totals.appointments).toBe(6);
    expect(queries).toBe(2 * perComputation);
    // Another bucket is its own entry.
    expect((await cache.get(range, "day")).series).toHaveLength(14);
    // After a long pause the page waits for a fresh computation instead of showing old figures.
    await seedScorecardVisits(tdb.db.pool, [{ appointment: "Appointment/a7", dateOfService: "2026-03-13", checkedAt: "2026-03-12T11:00:00Z" }]);
    now += 120_000;
    expect((await cache.get(range, "week")).totals.appointments).toBe(7);
  });
});
