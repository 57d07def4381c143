/**
 * The audit chain's secret keys. Each entry's hash is an HMAC-SHA-256 under a key that is not in
 * the database, so someone who can write the database (its owner, a superuser, a restored backup)
 * cannot forge an entry, re-hash a rewritten suffix or append to the chain without it being
 * detected; each entry names the key it was signed with (its id), so keys rotate.
 *
 * Where the keys come from: `AUDIT_KEY` (base64, at least 32 bytes) when set, else the key file
 * `audit.key` in the data folder, created with mode 0600 on first start (one base64 key a line;
 * the last line is the current key, earlier ones verify what they signed). With `AUDIT_KEY` set,
 * the file's keys (if any) still verify older entries. A KMS or HSM implements `AuditKeyring`:
 * it unwraps its data keys at start and hands them out here (the HMAC itself is computed in
 * process: it is on the hot path of every append).
 */
import { createHash, createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { AppError } from "../../tools/errors.js";

/** A secret key of the audit chain. */
export interface AuditKey {
  /** Derived from the secret (see `auditKeyId`): stored with each entry and anchor it signs. */
  id: string;
  secret: KeyObject;
}

/** The keys the service holds: one signs, all verify. A KMS-backed keyring implements this. */
export interface AuditKeyring {
  /** The key new entries and anchors are signed with. */
  readonly current: AuditKey;
  /** A key by id; undefined when this service does not hold it. */
  key(id: string): AuditKey | undefined;
}

/** Fewest bytes of an audit key (HMAC-SHA-256's block of security: RFC 2104 §3, NIST SP 800-107). */
export const AUDIT_KEY_MIN_BYTES = 32;

/** An audit key's id: a short fingerprint of its secret (one-way; names the key, reveals nothing of it). */
export function auditKeyId(secret: Buffer): string {
  return `k-${createHash("sha256").update("infusion-rcm audit key\n").update(secret).digest("hex").slice(0, 16)}`;
}

/** A keyring of secrets held in memory; the last one is current. */
export class StaticAuditKeyring implements AuditKeyring {
  private readonly keys = new Map<string, AuditKey>();
  readonly current: AuditKey;

  constructor(secrets: Buffer[]) {
    if (secrets.length === 0) throw new AuditKeyError("No audit key");
    let last: AuditKey | undefined;
    for (const secret of secrets) {
      if (secret.length < AUDIT_KEY_MIN_BYTES) throw new AuditKeyError(`An audit key must be at least ${AUDIT_KEY_MIN_BYTES} bytes (base64)`);
      last = { id: auditKeyId(secret), secret: createSecretKey(secret) };
      this.keys.set(last.id, last);
    }
    this.current = last as AuditKey;
  }

  key(id: string): AuditKey | undefined {
    return this.keys.get(id);
  }
}

/** An audit key that cannot be used (a bad `AUDIT_KEY`, an unreadable key file, no keyring loaded). */
export class AuditKeyError extends AppError {
  constructor(message: string) {
    super("CONFIG_INVALID", 500, message);
  }
}

/** The key file's name in the data folder. */
export const AUDIT_KEY_FILE = "audit.key";

/**
 * Loads the keyring: `AUDIT_KEY` when given (the key file's keys verify older entries), else the
 * key file in `dataDir`, created with a new random key (mode 0600) when there is none.
 */
export async function loadAuditKeyring(options: { dataDir: string; key?: string; logger?: Logger }): Promise<AuditKeyring> {
  const file = path.resolve(options.dataDir, AUDIT_KEY_FILE);
  let secrets = await readKeyFile(file, options.logger);
  if (options.key !== undefined) return new StaticAuditKeyring([...secrets, decodeKey(options.key, "AUDIT_KEY")]);
  if (secrets.length === 0) {
    await mkdir(path.dirname(file), { recursive: true });
    try {
      await writeFile(file, `${randomBytes(AUDIT_KEY_MIN_BYTES).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
      options.logger?.info({ file }, "created the audit key (keep a copy off this machine: without it the trail cannot be verified)");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    secrets = await readKeyFile(file, options.logger);
  }
  return new StaticAuditKeyring(secrets);
}

async function readKeyFile(file: string, logger: Logger | undefined): Promise<Buffer[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  if (process.platform !== "win32" && ((await stat(file)).mode & 0o077) !== 0) {
    logger?.warn({ file }, "the audit key file can be read by other users: chmod 600 it");
  }
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")).map((l, i) => decodeKey(l, `${file} line ${i + 1}`));
}

function decodeKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new AuditKeyError(`${where}: an audit key is base64 (e.g. openssl rand -base64 32)`);
  const secret = Buffer.from(trimmed, "base64");
  if (secret.length < AUDIT_KEY_MIN_BYTES) throw new AuditKeyError(`${where}: an audit key must be at least ${AUDIT_KEY_MIN_BYTES} bytes`);
  return secret;
}

let active: AuditKeyring | undefined;

/** Sets the keyring this process signs and verifies the audit chain with (the service does at start). */
export function useAuditKeyring(keyring: AuditKeyring): void {
  active = keyring;
}

/** Loads a keyring of one new random key unless the process has one (a sandbox harness on a throwaway database). */
export function useEphemeralAuditKeyringUnlessLoaded(): void {
  active ??= new StaticAuditKeyring([randomBytes(AUDIT_KEY_MIN_BYTES)]);
}

/** The process's keyring; refuses to go on without one (an entry is never written unsigned). */
export function auditKeyring(): AuditKeyring {
  if (active === undefined) throw new AuditKeyError("No audit key loaded: call useAuditKeyring (the service loads AUDIT_KEY or the data folder's audit.key)");
  return active;
}
