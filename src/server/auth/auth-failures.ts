/**
 * Failed authentication, remembered in bounded memory so that guessing keys is slow and cheap
 * for us (OWASP ASVS 2.2.1 anti-automation; OWASP API4:2023 unrestricted resource consumption):
 * - per client address, failures (no key, an unknown or revoked key) are counted in a fixed
 *   window; past the limit the address is answered 429 until the window ends, before any lookup;
 * - the hashes of keys that failed are remembered for a while, so a bad key sent again (a
 *   misconfigured integration, a revoked key still in use) is refused without a database query.
 * Both maps are bounded: when full, the oldest entry goes (a Map iterates in insertion order).
 */

/** How the guard is set. */
export interface AuthFailureOptions {
  /** Failures an address may have per window. */
  maxFailures: number;
  windowMs: number;
  /** Addresses and key hashes remembered at most (each). */
  maxEntries?: number;
  /** How long a failed key hash is remembered. */
  failedKeyTtlMs?: number;
  now?: () => number;
}

/** The memory of failed authentications. */
export class AuthFailureGuard {
  private readonly addresses = new Map<string, { count: number; windowStart: number }>();
  private readonly failedKeys = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly failedKeyTtlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AuthFailureOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.failedKeyTtlMs = options.failedKeyTtlMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until `address` may authenticate again; 0 when it may now. */
  blockedFor(address: string): number {
    const entry = this.addresses.get(address);
    if (entry === undefined) return 0;
    const ends = entry.windowStart + this.options.windowMs;
    const now = this.now();
    if (now >= ends) {
      this.addresses.delete(address);
      return 0;
    }
    return entry.count >= this.options.maxFailures ? ends - now : 0;
  }

  /** Whether a key with this hash failed recently (no need to look it up again). */
  failedRecently(keyHash: string): boolean {
    const expires = this.failedKeys.get(keyHash);
    if (expires === undefined) return false;
    if (this.now() < expires) return true;
    this.failedKeys.delete(keyHash);
    return false;
  }

  /** Counts a failure of `address`, and remembers the key's hash when one was presented. */
  recordFailure(address: string, keyHash?: string): void {
    const now = this.now();
    const entry = this.addresses.get(address);
    if (entry !== undefined && now < entry.windowStart + this.options.windowMs) entry.count += 1;
    else remember(this.addresses, address, { count: 1, windowStart: now }, this.maxEntries);
    if (keyHash !== undefined) remember(this.failedKeys, keyHash, now + this.failedKeyTtlMs, this.maxEntries);
  }
}

/** Sets `key` in a map of at most `max` entries, dropping the oldest when full. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}
