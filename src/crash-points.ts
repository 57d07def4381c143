/**
 * Crash points: places where the multi-process durability test (test/service-takeover.test.ts)
 * kills the service the way `kill -9` would, at exactly the moment it wants to test — before a
 * batch's runs start, in the middle of a run, after a run's end is committed but before its sweep
 * items are settled, after they are settled but before pg-boss marks the jobs done. Killing from
 * outside at such a moment is a race; killing from inside is exact, and SIGKILL gives the process
 * no chance to clean up, as a crash would.
 *
 * Honoured only with NODE_ENV=test and `CRASH_AT=<point>[:<nth hit>]` in the environment (read
 * here, not in config.ts, so that no setting of a deployed service can reach it).
 */

/** The points the durability test can crash at. */
export const CRASH_POINTS = ["sweep.batch-begun", "run.step", "run.ended", "sweep.settled"] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

const spec = parseCrashAt(process.env.NODE_ENV === "test" ? process.env.CRASH_AT : undefined);
let hits = 0;

/** Kills this process with SIGKILL on the nth time `point` is reached, when CRASH_AT names it. */
export function crashPoint(point: CrashPoint): void {
  if (spec === null || spec.point !== point) return;
  hits += 1;
  if (hits === spec.nth) process.kill(process.pid, "SIGKILL");
}

/** Parses `point[:nth]`; null when unset; throws on a point that does not exist (a typo would test nothing). */
export function parseCrashAt(value: string | undefined): { point: CrashPoint; nth: number } | null {
  if (value === undefined || value === "") return null;
  const [point = "", nth = "1"] = value.split(":");
  if (!(CRASH_POINTS as readonly string[]).includes(point)) throw new Error(`CRASH_AT: no crash point ${point} (${CRASH_POINTS.join(", ")})`);
  const n = Number(nth);
  if (!Number.isInteger(n) || n < 1) throw new Error(`CRASH_AT: ${nth} is not a hit count (1, 2, …)`);
  return { point: point as CrashPoint, nth: n };
}
