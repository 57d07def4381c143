/** Timing for the linear-time tests: generous bounds, not benchmarks. */
import { performance } from "node:perf_hooks";
import { BadInputError } from "../../tools/errors.js";

/**
 * The time `fn` takes in milliseconds, best of two runs (the machine is shared; the first run also
 * warms the JIT). A BadInputError counts as done — refusing the input is fine, only the time
 * matters — while any other throw (a failed assertion inside `fn`) propagates.
 */
export function millis(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 2; i += 1) {
    const t = performance.now();
    try {
      fn();
    } catch (error) {
      if (!(error instanceof BadInputError)) throw error;
    }
    best = Math.min(best, performance.now() - t);
  }
  return best;
}
