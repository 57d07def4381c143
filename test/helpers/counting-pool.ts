/** A pool that counts the SQL statements sent through it (for "constant statements per batch" tests). */
import type pg from "pg";

/**
 * Wraps `pool`: every other member is the pool's own; `statements()` counts the pool's queries and
 * `checkouts()` its `connect()` calls (one per transaction) since the last `reset()`.
 */
export function countingPool(pool: pg.Pool): { pool: pg.Pool; statements: () => number; checkouts: () => number; reset: () => void } {
  let n = 0;
  let c = 0;
  const counted = new Proxy(pool, {
    get(target, prop) {
      if (prop === "query") {
        return (...args: unknown[]) => {
          n += 1;
          return (target.query as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (prop === "connect") c += 1;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { pool: counted, statements: () => n, checkouts: () => c, reset: () => { n = 0; c = 0; } };
}
