/** `infusion-rcm audit verify-archive FILE…` — verifies archived audit months on their own. */
import { EXIT, writeJson, type CliCommand } from "../command.js";
import { loadConfig } from "../../config.js";
import { verifyAuditArchive } from "../../governance/audit-archive.js";
import { loadAuditKeyring } from "../../governance/audit-keys.js";

const USAGE = `usage: infusion-rcm audit verify-archive FILE [FILE…]

Verifies archive files written by the retention pass (audit-YYYY-MM.jsonl.gz): the anchor's
HMAC under the audit key (AUDIT_KEY, or DATA_DIR's audit.key), then every entry's hash, in
order, from the hash before the month's first entry to the anchor's seq and hash. Needs no
database. Exit 0 when all verify, 1 when one does not (its first problem is named).`;

export const auditCommand: CliCommand = {
  name: "audit",
  summary: "Verify archived audit months",
  usage: USAGE,
  run: async (args, io) => {
    const [action, ...files] = args;
    if (action !== "verify-archive" || files.length === 0) {
      io.stderr.write(`audit: expected verify-archive FILE\n${USAGE}\n`);
      return EXIT.BAD_INPUT;
    }
    const config = loadConfig();
    const keyring = await loadAuditKeyring({ dataDir: config.dataDir, key: config.audit.key });
    const results = [];
    for (const file of files) {
      const { ok, header, checked, reason, sha256 } = await verifyAuditArchive(file, keyring);
      results.push({ file, ok, month: header?.month ?? null, checked, firstSeq: header?.firstSeq ?? null, lastSeq: header?.lastSeq ?? null, sha256, reason });
    }
    writeJson(io.stdout, { archives: results });
    return results.every((r) => r.ok) ? EXIT.OK : EXIT.FINDINGS;
  },
};
