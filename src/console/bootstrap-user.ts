/**
 * First start with no users: create the admin user `admin` with a one-time password, written to a
 * file only this user can read (like the admin API key). The log says where the file is, never
 * the password; the first sign-in must choose a new one.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import type { Logger } from "pino";
import { countActiveUsers, createUser } from "./users.js";

/** File name of the first admin's one-time password inside the data folder. */
export const ADMIN_PASSWORD_FILE = "admin-password";

/** Creates the first admin when there is no active user; returns the file path if it did. */
export async function bootstrapAdminUser(pool: pg.Pool, dataDir: string, logger: Logger): Promise<string | undefined> {
  if ((await countActiveUsers(pool)) > 0) return undefined;
  const { user, password } = await createUser(pool, { username: "admin", displayName: "Administrator", role: "admin", createdBy: "service:first-start" });
  await mkdir(dataDir, { recursive: true });
  const file = path.resolve(dataDir, ADMIN_PASSWORD_FILE);
  await writeFile(file, `user name: admin\none-time password: ${password ?? ""}\n`, { mode: 0o600 });
  logger.warn({ passwordFile: file, userId: user.id }, "created the console's admin user; its one-time password is in passwordFile (readable only by this user)");
  return file;
}
