/**
 * The pre-service scorecard over appointments whose date of service falls in a range, read from
 * the checks the agents recorded (`pre_service_checks`), the runs and their review items and
 * actions. Definitions:
 * - appointments: checked by some agent, or in some sweep, with the date of service in range;
 * - authorization success at time of service: among appointments whose latest prior-auth check
 *   made on or before the date of service lists a drug needing authorization, the share where
 *   every such drug's authorization was valid;
 * - automation: eligibility checks of those appointments — one per run and appointment, so a
 *   sweep's batch run counts each appointment it checked, and a run that failed before recording
 *   its check counts too — handled with no review item about the appointment and every action
 *   for it executed by the agent itself, in a run that did not fail; over all those checks;
 * - exceptions by reason: appointments per reason in the latest check per appointment and agent;
 * - flagged at least two days before: among appointments with an exception, those whose first
 *   exception check was on or before the date of service minus two days (UTC calendar dates);
 * - patient estimates produced: appointments whose latest eligibility check has an estimate that
 *   priced at least one drug line; of those, stale: priced from an earlier quarter's ASP file
 *   because the quarter in force is not loaded; unpriced (not produced): an estimate that priced
 *   no line (`pre_service_checks.estimate_status`, migration 0011).
 * A rate is null when its denominator is 0.
 */
import type pg from "pg";
import { z } from "zod";

/** A rate with its parts. */
export const Rate = z.object({
  rate: z.number().nullable().describe("numerator / denominator (4 decimals); null when the denominator is 0"),
  numerator: z.number().int(),
  denominator: z.number().int(),
});
export type Rate = z.infer<typeof Rate>;

/** The scorecard for a range of dates of service. */
export const Scorecard = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  appointments: z.number().int().describe("Appointments checked or swept with the date of service in range"),
  authorizationSuccessRate: Rate.describe("Appointments needing authorization whose every required drug was authorized at the time of service"),
  automationRate: Rate.describe("Eligibility checks (per run and appointment, sweep batches included) handled entirely by the agent (no review item, every action executed by the agent)"),
  exceptionsByReason: z.record(z.string(), z.number().int()).describe("Appointments per exception reason (latest check per appointment and agent)"),
  flaggedAtLeastTwoDaysBefore: Rate.describe("Appointments with an exception first flagged two or more days before the date of service"),
  patientEstimatesProduced: z.number().int().describe("Appointments whose latest eligibility check has a patient estimate with at least one priced drug line"),
  patientEstimatesStale: z.number().int().describe("Of the estimates produced, those priced from an earlier quarter's ASP file (the quarter in force is not loaded)"),
  patientEstimatesUnpriced: z.number().int().describe("Appointments whose latest eligibility check has an estimate with no priced line (not counted as produced)"),
});
export type Scorecard = z.infer<typeof Scorecard>;

const IN_RANGE = "date_of_service BETWEEN $1::date AND $2::date";

const APPOINTMENTS = `
  SELECT appointment_id FROM pre_service_checks WHERE ${IN_RANGE}
  UNION SELECT appointment_id FROM sweep_items WHERE ${IN_RANGE}`;

const AUTH_SUCCESS = `
  WITH latest AS (
    SELECT DISTINCT ON (appointment_id) appointment_id, facts FROM pre_service_checks
    WHERE agent = 'prior-auth' AND ${IN_RANGE} AND (checked_at AT TIME ZONE 'UTC')::date <= date_of_service
    ORDER BY appointment_id, checked_at DESC, id DESC
  ), drugs AS (
    SELECT l.appointment_id, COALESCE(d->>'authRequired' = 'true', false) AS required, COALESCE(d->>'authValid' = 'true', false) AS valid
    FROM latest l CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(l.facts->'drugs') = 'array' THEN l.facts->'drugs' ELSE '[]'::jsonb END) AS d
  ), needing AS (
    SELECT appointment_id, bool_and(valid) FILTER (WHERE required) AS authorized FROM drugs GROUP BY appointment_id HAVING bool_or(required)
  )
  SELECT count(*) FILTER (WHERE authorized)::int AS numerator, count(*)::int AS denominator FROM needing`;

const AUTOMATION = `
  WITH checked AS (
    SELECT run_id, appointment_id FROM pre_service_checks WHERE agent = 'eligibility' AND ${IN_RANGE}
    UNION SELECT id, subject_id FROM runs WHERE agent = 'eligibility' AND subject_type = 'appointment' AND subject_id IN (${APPOINTMENTS})
  )
  SELECT count(*) FILTER (WHERE r.status IN ('completed', 'waiting')
      AND NOT EXISTS (SELECT 1 FROM review_items ri WHERE ri.run_id = c.run_id AND ri.subject_id = c.appointment_id)
      AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.run_id = c.run_id
        AND (a.payload->>'appointmentId' = c.appointment_id OR (r.subject_type = 'appointment' AND r.subject_id = c.appointment_id))
        AND (a.status <> 'executed' OR a.executed_by <> 'agent:' || r.agent)))::int AS numerator,
    count(*)::int AS denominator
  FROM checked c JOIN runs r ON r.id = c.run_id`;

const EXCEPTIONS = `
  WITH latest AS (
    SELECT DISTINCT ON (appointment_id, agent) appointment_id, reasons FROM pre_service_checks WHERE ${IN_RANGE}
    ORDER BY appointment_id, agent, checked_at DESC, id DESC
  )
  SELECT reason, count(DISTINCT appointment_id)::int AS n FROM latest, unnest(reasons) AS reason GROUP BY reason ORDER BY reason`;

const FLAGGED = `
  SELECT count(*) FILTER (WHERE (first_at AT TIME ZONE 'UTC')::date <= dos - 2)::int AS numerator, count(*)::int AS denominator
  FROM (SELECT appointment_id, min(checked_at) AS first_at, max(date_of_service) AS dos FROM pre_service_checks
        WHERE outcome = 'exception' AND ${IN_RANGE} GROUP BY appointment_id) AS flagged`;

const COUNTS = `
  WITH latest AS (
    SELECT DISTINCT ON (appointment_id) appointment_id, estimate_status FROM pre_service_checks
    WHERE agent = 'eligibility' AND ${IN_RANGE}
    ORDER BY appointment_id, checked_at DESC, id DESC
  )
  SELECT (SELECT count(*) FROM (${APPOINTMENTS}) AS a)::int AS appointments,
    (SELECT count(*) FILTER (WHERE estimate_status IN ('priced', 'stale')) FROM latest)::int AS estimates,
    (SELECT count(*) FILTER (WHERE estimate_status = 'stale') FROM latest)::int AS stale,
    (SELECT count(*) FILTER (WHERE estimate_status = 'unpriced') FROM latest)::int AS unpriced`;

type Parts = { numerator: number; denominator: number };

function rate(p: Parts | undefined): Rate {
  const numerator = p?.numerator ?? 0;
  const denominator = p?.denominator ?? 0;
  return { rate: denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000, numerator, denominator };
}

/** Computes the scorecard for dates of service in [from, to] (ISO dates, inclusive). */
export async function computeScorecard(db: Pick<pg.Pool, "query">, range: { from: string; to: string }): Promise<Scorecard> {
  const params = [range.from, range.to];
  const counts = await db.query<{ appointments: number; estimates: number; stale: number; unpriced: number }>(COUNTS, params);
  const auth = await db.query<Parts>(AUTH_SUCCESS, params);
  const automation = await db.query<Parts>(AUTOMATION, params);
  const exceptions = await db.query<{ reason: string; n: number }>(EXCEPTIONS, params);
  const flagged = await db.query<Parts>(FLAGGED, params);
  return {
    from: range.from,
    to: range.to,
    appointments: counts.rows[0]?.appointments ?? 0,
    authorizationSuccessRate: rate(auth.rows[0]),
    automationRate: rate(automation.rows[0]),
    exceptionsByReason: Object.fromEntries(exceptions.rows.map((r) => [r.reason, r.n])),
    flaggedAtLeastTwoDaysBefore: rate(flagged.rows[0]),
    patientEstimatesProduced: counts.rows[0]?.estimates ?? 0,
    patientEstimatesStale: counts.rows[0]?.stale ?? 0,
    patientEstimatesUnpriced: counts.rows[0]?.unpriced ?? 0,
  };
}

/** How a series groups dates of service: by day, or by ISO week (starting on Monday). */
export type ScorecardBucket = "day" | "week";

/** One point of a scorecard series: the appointments whose date of service falls in the bucket. */
export interface ScorecardPoint {
  /** The bucket's first day (a Monday for weeks; the first week may start before `from`). */
  bucket: string;
  appointments: number;
  authorizationSuccessRate: Rate;
  automationRate: Rate;
  exceptionsByReason: Record<string, number>;
  flaggedAtLeastTwoDaysBefore: Rate;
  patientEstimatesProduced: number;
}

/**
 * The same definitions as the scorecard's, grouped by the bucket of each appointment's date of
 * service, in one statement (one round trip; each table read once per measure). An appointment
 * counts in the bucket of the row the measure reads (its latest check; for automation, its latest
 * date of service), so a series sums to the totals unless a visit moved between buckets.
 */
function seriesSql(bucket: ScorecardBucket): string {
  const b = (column: string) => (bucket === "week" ? `date_trunc('week', ${column}::timestamp)::date::text` : `${column}::text`);
  return `
  WITH appts AS (
    SELECT appointment_id, max(date_of_service) AS dos FROM (
      SELECT appointment_id, date_of_service FROM pre_service_checks WHERE ${IN_RANGE}
      UNION ALL SELECT appointment_id, date_of_service FROM sweep_items WHERE ${IN_RANGE}) AS a
    GROUP BY appointment_id
  ), auth_latest AS (
    SELECT DISTINCT ON (appointment_id) appointment_id, date_of_service, facts FROM pre_service_checks
    WHERE agent = 'prior-auth' AND ${IN_RANGE} AND (checked_at AT TIME ZONE 'UTC')::date <= date_of_service
    ORDER BY appointment_id, checked_at DESC, id DESC
  ), auth_needing AS (
    SELECT l.appointment_id, max(l.date_of_service) AS dos,
      bool_and(COALESCE(d->>'authValid' = 'true', false)) FILTER (WHERE COALESCE(d->>'authRequired' = 'true', false)) AS authorized
    FROM auth_latest l CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(l.facts->'drugs') = 'array' THEN l.facts->'drugs' ELSE '[]'::jsonb END) AS d
    GROUP BY l.appointment_id HAVING bool_or(COALESCE(d->>'authRequired' = 'true', false))
  ), checked AS (
    SELECT DISTINCT ON (run_id, appointment_id) run_id, appointment_id, dos FROM (
      SELECT run_id, appointment_id, date_of_service AS dos FROM pre_service_checks WHERE agent = 'eligibility' AND ${IN_RANGE}
      UNION ALL SELECT r.id, r.subject_id, a.dos FROM runs r JOIN appts a ON a.appointment_id = r.subject_id
      WHERE r.agent = 'eligibility' AND r.subject_type = 'appointment') AS x
    ORDER BY run_id, appointment_id, dos DESC
  ), automation AS (
    SELECT c.dos, (r.status IN ('completed', 'waiting')
        AND NOT EXISTS (SELECT 1 FROM review_items ri WHERE ri.run_id = c.run_id AND ri.subject_id = c.appointment_id)
        AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.run_id = c.run_id
          AND (a.payload->>'appointmentId' = c.appointment_id OR (r.subject_type = 'appointment' AND r.subject_id = c.appointment_id))
          AND (a.status <> 'executed' OR a.executed_by <> 'agent:' || r.agent))) AS automated
    FROM checked c JOIN runs r ON r.id = c.run_id
  ), exc_latest AS (
    SELECT DISTINCT ON (appointment_id, agent) appointment_id, date_of_service, reasons FROM pre_service_checks WHERE ${IN_RANGE}
    ORDER BY appointment_id, agent, checked_at DESC, id DESC
  ), flagged AS (
    SELECT min(checked_at) AS first_at, max(date_of_service) AS dos FROM pre_service_checks
    WHERE outcome = 'exception' AND ${IN_RANGE} GROUP BY appointment_id
  ), estimates AS (
    SELECT DISTINCT ON (appointment_id) date_of_service, estimate_status FROM pre_service_checks
    WHERE agent = 'eligibility' AND ${IN_RANGE}
    ORDER BY appointment_id, checked_at DESC, id DESC
  )
  SELECT 'appointments' AS measure, ${b("dos")} AS bucket, NULL AS reason, count(*)::int AS numerator, 0 AS denominator FROM appts GROUP BY 2
  UNION ALL SELECT 'auth', ${b("dos")}, NULL, count(*) FILTER (WHERE authorized)::int, count(*)::int FROM auth_needing GROUP BY 2
  UNION ALL SELECT 'automation', ${b("dos")}, NULL, count(*) FILTER (WHERE automated)::int, count(*)::int FROM automation GROUP BY 2
  UNION ALL SELECT 'exceptions', ${b("date_of_service")}, reason, count(DISTINCT appointment_id)::int, 0 FROM exc_latest, unnest(reasons) AS reason GROUP BY 2, 3
  UNION ALL SELECT 'flagged', ${b("dos")}, NULL, count(*) FILTER (WHERE (first_at AT TIME ZONE 'UTC')::date <= dos - 2)::int, count(*)::int FROM flagged GROUP BY 2
  UNION ALL SELECT 'estimates', ${b("date_of_service")}, NULL, count(*) FILTER (WHERE estimate_status IN ('priced', 'stale'))::int, 0 FROM estimates GROUP BY 2`;
}

const SERIES_SQL: Record<ScorecardBucket, string> = { day: seriesSql("day"), week: seriesSql("week") };

/** The first day of the bucket `isoDate` falls in. */
export function bucketStart(isoDate: string, bucket: ScorecardBucket): string {
  if (bucket === "day") return isoDate;
  const at = new Date(`${isoDate}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() - ((at.getUTCDay() + 6) % 7));
  return at.toISOString().slice(0, 10);
}

/** Every bucket of [from, to], oldest first. */
export function bucketsOf(range: { from: string; to: string }, bucket: ScorecardBucket): string[] {
  const out: string[] = [];
  const step = bucket === "day" ? 1 : 7;
  for (let at = new Date(`${bucketStart(range.from, bucket)}T00:00:00Z`); at.toISOString().slice(0, 10) <= range.to; at.setUTCDate(at.getUTCDate() + step)) {
    out.push(at.toISOString().slice(0, 10));
  }
  return out;
}

/** The scorecard's measures for every day or week of [from, to] (empty buckets included, as zeros). */
export async function computeScorecardSeries(
  db: Pick<pg.Pool, "query">,
  range: { from: string; to: string },
  bucket: ScorecardBucket,
): Promise<ScorecardPoint[]> {
  const { rows } = await db.query<{ measure: string; bucket: string; reason: string | null; numerator: number; denominator: number }>(
    SERIES_SQL[bucket], [range.from, range.to]);
  const points = new Map<string, ScorecardPoint>(bucketsOf(range, bucket).map((at) => [at, {
    bucket: at, appointments: 0, authorizationSuccessRate: rate(undefined), automationRate: rate(undefined),
    exceptionsByReason: {}, flaggedAtLeastTwoDaysBefore: rate(undefined), patientEstimatesProduced: 0,
  }]));
  for (const row of rows) {
    const point = points.get(row.bucket);
    if (point === undefined) continue;
    if (row.measure === "appointments") point.appointments = row.numerator;
    else if (row.measure === "auth") point.authorizationSuccessRate = rate(row);
    else if (row.measure === "automation") point.automationRate = rate(row);
    else if (row.measure === "flagged") point.flaggedAtLeastTwoDaysBefore = rate(row);
    else if (row.measure === "estimates") point.patientEstimatesProduced = row.numerator;
    else if (row.measure === "exceptions" && row.reason !== null) point.exceptionsByReason[row.reason] = row.numerator;
  }
  return [...points.values()];
}
