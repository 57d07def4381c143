/** A pool that counts the SQL statements sent through it (for "constant statements per batch" tests). */
import type pg from "pg";

/** Wraps `pool`: every other member is the pool's own; `statements()` counts queries since the last `reset()`. */
export function countingPool(pool: pg.Pool): { pool: pg.Pool; statements: () => number; reset: () => void } {
  let n = 0;
  const counted = new Proxy(pool, {
    get(target, prop) {
      if (prop === "query") {
        return (...args: unknown[]) => {
          n += 1;
          return (target.query as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { pool: counted, statements: () => n, reset: () => { n = 0; } };
}
