/**
 * Verifying the audit chain from the console: the walk (`verifyAuditChain`, as `GET /v1/audit/verify`
 * runs it, against the latest anchor) takes about a second per 50,000 entries, so the page starts it
 * in the background and polls for the result. One walk runs at a time per process: asking again
 * while one runs joins it. The last few results are kept in memory (a restart forgets them; the
 * walk is cheap to repeat).
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { AuditAnchors } from "../governance/audit-anchors.js";
import { archivedThrough, auditChainHead, verifyAuditChain, type ChainVerification } from "../governance/audit-log.js";

/** A walk of the chain, running or done. */
export interface VerifyJob {
  id: string;
  startedAt: Date;
  startedBy: string;
  /** About how many entries the walk covers (the head's seq, less what was archived). */
  entries: number;
  /** Entries checked so far (after each page of the walk). */
  checked: number;
  state: "running" | "done" | "failed";
  finishedAt: Date | null;
  result: ChainVerification | null;
  /** Why the walk could not run (not a verdict on the chain). */
  error: string | null;
}

/** Walks kept in memory. */
const KEPT = 20;

export class ChainVerifier {
  private readonly jobs = new Map<string, VerifyJob>();
  private running: VerifyJob | null = null;

  constructor(private readonly pool: pg.Pool, private readonly anchors: AuditAnchors) {}

  /** Starts a walk, or returns the one running. */
  async start(startedBy: string): Promise<VerifyJob> {
    if (this.running !== null) return this.running;
    const [head, archived] = await Promise.all([auditChainHead(this.pool), archivedThrough(this.pool)]);
    const job: VerifyJob = {
      id: randomUUID(), startedAt: new Date(), startedBy, entries: Math.max(0, head.seq - (archived?.seq ?? 0)),
      checked: 0, state: "running", finishedAt: null, result: null, error: null,
    };
    this.running = job;
    this.keep(job);
    void this.walk(job);
    return job;
  }

  private async walk(job: VerifyJob): Promise<void> {
    try {
      job.result = await verifyAuditChain(this.pool, { anchor: await this.anchors.latest(), onProgress: (checked) => { job.checked = checked; } });
      job.state = "done";
    } catch (error) {
      job.state = "failed";
      job.error = (error as Error).message;
    } finally {
      job.finishedAt = new Date();
      this.running = null;
    }
  }

  private keep(job: VerifyJob): void {
    this.jobs.set(job.id, job);
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= KEPT) break;
      if (this.jobs.get(id)?.state !== "running") this.jobs.delete(id);
    }
  }

  get(id: string): VerifyJob | undefined {
    return this.jobs.get(id);
  }

  /** The walk running now, if any. */
  current(): VerifyJob | null {
    return this.running;
  }
}
