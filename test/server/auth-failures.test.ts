import { describe, expect, it } from "vitest";
import { AuthFailureGuard } from "../../src/server/auth/auth-failures.js";

describe("failed-authentication memory", () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => void (now += ms) };
  };

  it("blocks an address past its failures until its window ends", () => {
    const c = clock();
    const guard = new AuthFailureGuard({ maxFailures: 3, windowMs: 60_000, now: c.now });
    for (let i = 0; i < 3; i += 1) {
      expect(guard.blockedFor("a")).toBe(0);
      guard.recordFailure("a");
    }
    expect(guard.blockedFor("a")).toBe(60_000);
    expect(guard.blockedFor("b")).toBe(0);
    c.advance(59_000);
    expect(guard.blockedFor("a")).toBe(1_000);
    c.advance(1_000);
    expect(guard.blockedFor("a")).toBe(0);
    guard.recordFailure("a");
    expect(guard.blockedFor("a")).toBe(0);
  });

  it("remembers failed key hashes for a while, and stays bounded: the oldest entries go first", () => {
    const c = clock();
    const guard = new AuthFailureGuard({ maxFailures: 1, windowMs: 60_000, maxEntries: 3, failedKeyTtlMs: 10_000, now: c.now });
    for (const n of [1, 2, 3, 4]) guard.recordFailure(`addr-${n}`, `hash-${n}`);
    // Four remembered in a memory of three: the first address and hash are forgotten.
    expect(guard.blockedFor("addr-1")).toBe(0);
    expect(guard.failedRecently("hash-1")).toBe(false);
    expect([2, 3, 4].map((n) => [guard.blockedFor(`addr-${n}`) > 0, guard.failedRecently(`hash-${n}`)])).toEqual([[true, true], [true, true], [true, true]]);
    c.advance(10_000);
    expect(guard.failedRecently("hash-4")).toBe(false);
  });
});
