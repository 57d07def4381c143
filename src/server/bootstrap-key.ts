/**
 * First start on the embedded database with no keys: create a local admin key and write it to a
 * file only this user can read. The log says where the file is, never the key.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import type { Logger } from "pino";
import { countActiveKeys, createApiKey } from "./auth/api-keys.js";

/** File name of the bootstrap admin key inside the data folder. */
export const ADMIN_KEY_FILE = "admin-api-key";

/** Creates the local admin key when there is no active key; returns the file path if it did. */
export async function bootstrapAdminKey(pool: pg.Pool, dataDir: string, logger: Logger): Promise<string | undefined> {
  if ((await countActiveKeys(pool)) > 0) return undefined;
  const { key, info } = await createApiKey(pool, { name: "local admin (created at first start)", role: "admin", createdBy: "service:first-start" });
  await mkdir(dataDir, { recursive: true });
  const file = path.resolve(dataDir, ADMIN_KEY_FILE);
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  logger.warn({ keyFile: file, keyId: info.id }, "created a local admin API key; it is in keyFile (readable only by this user)");
  return file;
}
