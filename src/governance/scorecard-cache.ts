/**
 * The scorecard as the console reads it: totals (`computeScorecard`) and a series by day or week
 * (`computeScorecardSeries`) for a range, kept in memory for a few seconds. Leaders read the same
 * ranges over and over (this week, last 30 days, this quarter) while the agents keep writing
 * checks, so a page is answered from the last computation of its range:
 * - fresh for `freshMs` (default 5 s) after its computation ended: served as is;
 * - then, up to `staleMs` (default 60 s): served as is while one recomputation runs in the
 *   background (stale-while-revalidate), so nobody waits on the database during a sweep;
 * - older, or never computed: computed, and every request for that range waiting meanwhile shares
 *   the one computation (no stampede).
 * Figures are therefore at most `freshMs` old plus one computation when read steadily, and at most
 * `staleMs` old after a pause. At most `maxEntries` ranges are kept (the least recently used go).
 */
import type pg from "pg";
import { computeScorecard, computeScorecardSeries, type Scorecard, type ScorecardBucket, type ScorecardPoint } from "./scorecard.js";

/** The scorecard of a range with its series, and when it was computed. */
export interface ScorecardView {
  totals: Scorecard;
  series: ScorecardPoint[];
  bucket: ScorecardBucket;
  computedAt: Date;
}

interface Entry {
  view?: ScorecardView;
  /** When the view's computation ended: freshness counts from here, so a slow computation is not redone back to back. */
  doneAt?: number;
  pending?: Promise<ScorecardView>;
}

export class ScorecardCache {
  private readonly entries = new Map<string, Entry>();
  private readonly freshMs: number;
  private readonly staleMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Pick<pg.Pool, "query">,
    options: { freshMs?: number; staleMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {
    this.freshMs = options.freshMs ?? 5_000;
    this.staleMs = options.staleMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 64;
    this.now = options.now ?? Date.now;
  }

  /** The scorecard of [from, to] by `bucket`, from memory when recent enough (see above). */
  async get(range: { from: string; to: string }, bucket: ScorecardBucket): Promise<ScorecardView> {
    const key = `${range.from}/${range.to}/${bucket}`;
    const entry = this.entries.get(key) ?? {};
    // Most recently used last: re-inserted on every read.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evict();
    const age = entry.view === undefined || entry.doneAt === undefined ? Infinity : this.now() - entry.doneAt;
    if (entry.view !== undefined && age <= this.freshMs) return entry.view;
    if (entry.view !== undefined && age <= this.staleMs) {
      // A failed background refresh leaves the last view in place; the next read tries again.
      if (entry.pending === undefined) this.refresh(entry, range, bucket).catch(() => undefined);
      return entry.view;
    }
    return entry.pending ?? this.refresh(entry, range, bucket);
  }

  private refresh(entry: Entry, range: { from: string; to: string }, bucket: ScorecardBucket): Promise<ScorecardView> {
    const pending = (async () => {
      const computedAt = new Date(this.now());
      const totals = await computeScorecard(this.db, range);
      const series = await computeScorecardSeries(this.db, range, bucket);
      return { totals, series, bucket, computedAt };
    })();
    entry.pending = pending;
    pending.then((view) => { entry.view = view; entry.doneAt = this.now(); }, () => undefined).finally(() => { entry.pending = undefined; });
    return pending;
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }
}
