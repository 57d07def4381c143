/**
 * Writes audit entries into a past month's partition, as the service would have then: the same
 * chain (lock, prepared entries, keyed hashes, payloads encoded as stored), with `chain_month` given
 * rather than the clock's.
 */
import type pg from "pg";
import { withTransaction } from "../../src/db/database.js";
import { auditKeyring } from "../../src/governance/audit-keys.js";
import { entryHash, hashBytes, lockAuditChain, prepareAuditEntries, type AuditInput } from "../../src/governance/audit-log.js";
import { encodeAuditPayload } from "../../src/governance/audit-payload.js";
import { valuesList } from "../../src/db/values-list.js";

/** The first day of `date`'s month (UTC), `YYYY-MM-01`. */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 8) + "01";
}

/** Appends entries to the chain stored in `month` (`YYYY-MM-01`, whose partition must exist). */
export async function appendAuditInMonth(pool: pg.Pool, month: string, inputs: AuditInput[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    const end = await lockAuditChain(client);
    const key = auditKeyring().current;
    let seq = end.seq;
    let prevHash = end.hash;
    const params: unknown[] = [];
    const at = new Date(`${month}T12:00:00.000Z`);
    for (const e of prepareAuditEntries(inputs, () => at)) {
      seq += 1;
      const hash = entryHash(prevHash, { ...e, keyId: key.id, seq }, key);
      params.push(seq, e.id, e.at, e.kind, e.actor, e.runId, e.agent, e.node, e.subjectType, e.subjectId, encodeAuditPayload(e.payload.text), hashBytes(prevHash), hashBytes(hash), key.id, month);
      prevHash = hash;
    }
    await client.query(`INSERT INTO audit_log (seq, id, at, kind, actor, run_id, agent, node, subject_type, subject_id, payload, prev_hash, hash, key_id, chain_month)
      VALUES ${valuesList(inputs.length, 15)}`, params);
  });
}
