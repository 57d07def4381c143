/** Opens the configured database for a CLI command and always closes it. */
import { loadConfig } from "../../config.js";
import type { Database } from "../../db/database.js";
import { migrate } from "../../db/migrate.js";
import { openConfiguredDatabase } from "../../service.js";
import { loadAuditKeyring, useAuditKeyring } from "../../governance/audit-keys.js";

/** Runs `fn` against the configured database (migrated first unless told not to), then closes it. */
export async function withConfiguredDatabase<T>(
  fn: (db: Database) => Promise<T>,
  options: { migrateFirst?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  // What a command audits is signed with the service's key.
  useAuditKeyring(await loadAuditKeyring({ dataDir: config.dataDir, key: config.audit.key }));
  const db = await openConfiguredDatabase(config);
  try {
    if (options.migrateFirst !== false) await migrate(db.pool);
    return await fn(db);
  } finally {
    await db.close();
  }
}
