/**
 * Anchors: the audit chain's head (seq, hash, time, key id) with an HMAC under the audit key,
 * written outside the database — appended to `audit-anchors.jsonl` in the data folder and logged —
 * at every run end, on a schedule and at stop. Whoever can rewrite the database cannot move the
 * anchors a clinic has shipped to write-once storage (README, "Audit trail"), so verification
 * against the latest one reports a truncated tail or a rewritten suffix.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { appendFile, mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { auditKeyring, type AuditKeyring } from "./audit-keys.js";
import { auditChainHead, type ChainAnchor } from "./audit-log.js";

/** One anchor as written (one JSON line). */
export const AuditAnchor = z.object({
  seq: z.number().int().min(1),
  hash: z.string(),
  at: z.string(),
  keyId: z.string(),
  hmac: z.string().describe("HMAC-SHA-256 under the key `keyId` names, over seq, hash and time"),
});
export type AuditAnchor = z.infer<typeof AuditAnchor>;

/** The anchor file's name in the data folder. */
export const AUDIT_ANCHOR_FILE = "audit-anchors.jsonl";

/** Why an anchor was written. */
export type AnchorReason = "run-end" | "schedule" | "start" | "stop";

function anchorHmac(keyring: AuditKeyring, keyId: string, a: { seq: number; hash: string; at: string }): string | undefined {
  const key = keyring.key(keyId);
  if (key === undefined) return undefined;
  return createHmac("sha256", key.secret).update(`infusion-rcm audit anchor\n${a.seq}\n${a.hash}\n${a.at}`).digest("hex");
}

/** Signs the chain's head as of `at` with the current key. */
export function signAnchor(head: { seq: number; hash: string }, at: Date, keyring: AuditKeyring = auditKeyring()): AuditAnchor {
  const body = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  return { ...body, keyId: keyring.current.id, hmac: anchorHmac(keyring, keyring.current.id, body) as string };
}

/** True when an anchor's HMAC holds under a key the keyring holds. */
export function anchorValid(anchor: AuditAnchor, keyring: AuditKeyring = auditKeyring()): boolean {
  const expected = anchorHmac(keyring, anchor.keyId, anchor);
  if (expected === undefined || !/^[0-9a-f]{64}$/.test(anchor.hmac)) return false;
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(anchor.hmac, "hex"));
}

/** An anchor line read back: the anchor, or why the line is not one. */
export interface ReadAnchor {
  anchor: AuditAnchor | null;
  valid: boolean;
  line: string;
}

/** Most bytes read from the end of the anchor file at a time (its lines are about 250 bytes). */
const TAIL_BYTES = 256 * 1024;

/** The anchor file of a data folder: writes anchors (one at a time, only when the head moved) and reads the latest. */
export class AuditAnchors {
  readonly file: string;
  private lastSeq = 0;
  /** The anchor being written (settled when none is). */
  private writing: Promise<unknown> = Promise.resolve();
  /** The anchor waiting its turn, if any. */
  private queued: Promise<AuditAnchor | null> | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { pool: pg.Pool; dataDir: string; logger?: Logger; now?: () => Date }) {
    this.file = path.resolve(options.dataDir, AUDIT_ANCHOR_FILE);
  }

  /**
   * Anchors the chain's head if it moved since this process last did. Anchors are written one at a
   * time; calls made while one is waiting its turn join it. Returns the anchor written, or null.
   */
  anchor(reason: AnchorReason): Promise<AuditAnchor | null> {
    if (this.queued !== null) return this.queued;
    const next = this.writing.then(() => {
      this.queued = null;
      return this.write(reason);
    });
    this.queued = next;
    this.writing = next.catch(() => null);
    return next;
  }

  /** `anchor` without waiting: a failure is logged (the run that ended is not failed by it). */
  request(reason: AnchorReason): void {
    this.anchor(reason).catch((error: unknown) => {
      this.options.logger?.error({ err: { message: (error as Error).message }, file: this.file }, "could not write the audit anchor");
    });
  }

  private async write(reason: AnchorReason): Promise<AuditAnchor | null> {
    const head = await auditChainHead(this.options.pool);
    if (head.seq === 0 || head.seq <= this.lastSeq) return null;
    const anchor = signAnchor(head, (this.options.now ?? (() => new Date()))());
    await mkdir(path.dirname(this.file), { recursive: true });
    // Appended, never rewritten (flag "a": O_APPEND; one line is written at once).
    await appendFile(this.file, `${JSON.stringify(anchor)}\n`, { flag: "a", mode: 0o644 });
    this.lastSeq = head.seq;
    this.options.logger?.info({ auditAnchor: anchor, reason }, "audit anchor");
    return anchor;
  }

  /** Writes an anchor every `everyMs` (0: never) until `stop`. */
  start(everyMs: number): void {
    if (everyMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => this.request("schedule"), everyMs);
    this.timer.unref();
  }

  /** Stops the schedule and anchors the head a last time. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.anchor("stop").catch((error: unknown) => {
      this.options.logger?.error({ err: { message: (error as Error).message }, file: this.file }, "could not write the audit anchor");
    });
  }

  /** The last `limit` anchor lines, newest first, each checked (read from the file's end: bounded memory). */
  async list(limit = 100, keyring: AuditKeyring = auditKeyring()): Promise<ReadAnchor[]> {
    const lines = await this.tail(limit);
    return lines.reverse().map((line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = null;
      }
      const result = AuditAnchor.safeParse(parsed);
      return result.success ? { anchor: result.data, valid: anchorValid(result.data, keyring), line } : { anchor: null, valid: false, line };
    });
  }

  /** The latest anchor line, checked; null when there is none. */
  async latest(keyring: AuditKeyring = auditKeyring()): Promise<{ anchor: ChainAnchor; valid: boolean } | null> {
    const [last] = await this.list(1, keyring);
    if (last === undefined) return null;
    return last.anchor === null ? { anchor: { seq: 0, hash: "", at: "" }, valid: false } : { anchor: last.anchor, valid: last.valid };
  }

  /** The file's last `count` non-empty lines, in file order. */
  private async tail(count: number): Promise<string[]> {
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const handle = await open(this.file, "r");
    try {
      let end = size;
      let rest = "";
      const lines: string[] = [];
      while (end > 0 && lines.length < count) {
        const start = Math.max(0, end - TAIL_BYTES);
        const buffer = Buffer.alloc(end - start);
        await handle.read(buffer, 0, buffer.length, start);
        const parts = (buffer.toString("utf8") + rest).split("\n");
        rest = start > 0 ? (parts.shift() ?? "") : "";
        for (let i = parts.length - 1; i >= 0 && lines.length < count; i -= 1) {
          const line = (parts[i] as string).trim();
          if (line !== "") lines.push(line);
        }
        end = start;
      }
      return lines.reverse();
    } finally {
      await handle.close();
    }
  }
}
