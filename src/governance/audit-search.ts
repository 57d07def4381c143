/**
 * Searching the audit log by date fast at millions of entries. Entries are read in chain order
 * (seq), but a range of `at` is not a range of seq for the planner: it either walks the chain from
 * its start filtering on `at`, or fetches every entry of the range by `audit_log_at_idx` and sorts
 * them — both read hundreds of thousands of rows for a week of a busy clinic.
 *
 * An entry is appended within `margin` of its time (a buffered entry minutes after it; clocks of
 * instances seconds apart). So any entry whose time is before `from - margin` was appended before
 * every entry of [from, to), and any entry whose time is at or after `to + margin` after them: the
 * latest such entry before and the earliest after — one row each from `audit_log_at_idx` — bound
 * the walk to a run of seq. The search keeps its `at` condition, so the answer is the same as
 * without the bounds for every entry appended within the margin of its time.
 */
import type pg from "pg";

/** How far an entry's time may lie from its append (buffering, clock skew) and still be found by a date search. */
export const AUDIT_TIME_MARGIN_MS = 6 * 3_600_000;

/** Seq bounds (`afterSeq`, `beforeSeq`, both exclusive; absent when open) that hold every entry of [from, to). */
export async function auditSeqWindow(
  pool: pg.Pool,
  range: { from?: Date; to?: Date },
  marginMs = AUDIT_TIME_MARGIN_MS,
): Promise<{ afterSeq?: number; beforeSeq?: number }> {
  const [before, after] = await Promise.all([
    range.from === undefined ? null
      : pool.query<{ seq: string }>("SELECT seq FROM audit_log WHERE at < $1 ORDER BY at DESC LIMIT 1", [new Date(range.from.getTime() - marginMs)]),
    range.to === undefined ? null
      : pool.query<{ seq: string }>("SELECT seq FROM audit_log WHERE at >= $1 ORDER BY at LIMIT 1", [new Date(range.to.getTime() + marginMs)]),
  ]);
  const seq = (r: { rows: { seq: string }[] } | null) => (r?.rows[0] === undefined ? undefined : Number(r.rows[0].seq));
  return { afterSeq: seq(before), beforeSeq: seq(after) };
}
