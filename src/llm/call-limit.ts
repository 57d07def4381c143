/**
 * What bounds model calls: the number of requests in flight (`LLM_CONCURRENCY`), shared by every
 * run in the process; each call's deadline, timeout × (1 + retries) plus backoff from its start
 * (it waits for a slot no longer than that, and an attempt is cut short at it); and, for a batch
 * of calls, a breaker: once one call of the batch timed out on every attempt, the model is taken
 * as not answering and the batch's remaining calls fail at once. So a hanging model costs a batch
 * about one call's deadline (its first calls run concurrently), while a slow but answering model
 * starves no call.
 */

/** A call given up on for time (its deadline, or its batch's model not answering); named so it counts as a timeout. */
export class DeadlineExceeded extends Error {
  override readonly name = "TimeoutError";
}

/** Milliseconds left until `deadlineAt` (a `performance.now()` time); Infinity without one. */
export const remainingMs = (deadlineAt: number | undefined): number => (deadlineAt === undefined ? Infinity : deadlineAt - performance.now());

/** A counting semaphore whose waiters give up at their deadline. */
export class CallLimit {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`call limit must be a positive integer, got ${limit}`);
  }

  /** Takes a slot, waiting at most until `deadlineAt`; returns its release (call it exactly once). */
  async acquire(deadlineAt?: number): Promise<() => void> {
    if (this.active < this.limit) {
      this.active += 1;
      return this.releaser();
    }
    const wait = remainingMs(deadlineAt);
    if (wait <= 0) throw new DeadlineExceeded("the call's deadline passed while it waited for a model slot");
    await new Promise<void>((resolve, reject) => {
      const waiter = { grant: () => { clearTimeout(timer); resolve(); } };
      const timer = Number.isFinite(wait) ? setTimeout(() => {
        const i = this.waiting.indexOf(waiter);
        if (i !== -1) this.waiting.splice(i, 1);
        reject(new DeadlineExceeded("the call's deadline passed while it waited for a model slot"));
      }, wait) : undefined;
      this.waiting.push(waiter);
    });
    // The slot was handed over by a release: `active` already counts it.
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next === undefined) this.active -= 1;
      else next.grant();
    };
  }
}

/** The calls of one batch of work (a sweep batch's visits): the breaker they share. */
export class CallBatch {
  /** Why the model is taken as not answering this batch, once a call timed out on every attempt. */
  unresponsive: string | null = null;
}
