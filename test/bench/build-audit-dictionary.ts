/**
 * `npm run build:audit-dictionary [-- --appointments 150 --seed 7 --size 16000]` — generates the
 * audit payloads' preset dictionary (src/governance/audit-dictionary.ts) from a sandbox sweep, and
 * prints the module to stdout. Run once per dictionary version: a committed version never changes
 * (rows stored with it must keep decoding); a new one gets a new format marker (audit-payload.ts).
 *
 * How: a pre-service sweep over a generated sandbox clinic (a seed other than the one the storage
 * benchmark measures, so the dictionary is not fitted to the rows it is measured on), its payloads
 * grouped by kind, tool and node; typical payloads of each group (of median length, then of the
 * quartiles') go in, the groups that add the most bytes to the log first, until the dictionary is
 * full; the heaviest groups' median payloads sit last: deflate reaches back 32 KiB, and nearer
 * matches cost fewer bits. 16 KB: on a sweep's payloads (another seed's) a 32 KB dictionary left
 * 13.8 % of the text, 16 KB 14.7 %, 8 KB 20.2 %, none 43.6 %; but each deflate loads the dictionary
 * anew, 91 µs a payload at 32 KB, 51 µs at 16 KB, 34 µs without. The sandbox data are synthetic: no PHI goes in.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { deflateRawSync } from "node:zlib";
import { createHash, randomBytes } from "node:crypto";
import { openDatabase } from "../../src/db/database.js";
import { StaticAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { sweepAndMeasure } from "../helpers/storage-sweep.js";

const { values } = parseArgs({ options: {
  appointments: { type: "string", default: "150" }, seed: { type: "string", default: "7" }, size: { type: "string", default: "16000" },
} });
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "irc-audit-dictionary-"));
  const db = await openDatabase({ kind: "pglite", dataDir: "memory" });
  useAuditKeyring(new StaticAuditKeyring([randomBytes(32)]));
  const texts: { group: string; text: string }[] = [];
  try {
    await sweepAndMeasure(db, dir, Number(values.appointments), "advisory", Number(values.seed));
    for (let afterSeq = 0; ;) {
      const page = await queryAudit(db.pool, { afterSeq, limit: 5_000 });
      for (const e of page) {
        const tool = (e.payload as { tool?: unknown } | null)?.tool;
        texts.push({ group: `${e.kind} ${typeof tool === "string" ? tool : ""} ${e.node ?? ""}`, text: JSON.stringify(e.payload) });
      }
      if (page.length < 5_000) break;
      afterSeq = page.at(-1)!.seq;
    }
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
  const dictionary = buildDictionary(texts, Number(values.size));
  const raw = texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0);
  const plain = texts.reduce((n, t) => n + deflateRawSync(t.text).length, 0);
  const withDictionary = texts.reduce((n, t) => n + deflateRawSync(t.text, { dictionary: Buffer.from(dictionary) }).length, 0);
  log(`${texts.length} payloads, ${raw} bytes of text; deflate alone ${plain} (${((100 * plain) / raw).toFixed(0)} %), with the dictionary ${withDictionary} (${((100 * withDictionary) / raw).toFixed(0)} %)`);
  process.stdout.write(moduleText(dictionary));
}

/**
 * Typical payloads of each group — the one of median length first, then the quartiles' — the
 * heaviest groups first while filling `size` bytes; then ordered so the heaviest groups' median
 * payloads come last (nearest the data).
 */
export function buildDictionary(texts: { group: string; text: string }[], size: number): string {
  const groups = new Map<string, string[]>();
  for (const { group, text } of texts) groups.set(group, [...(groups.get(group) ?? []), text]);
  const ranked = [...groups.values()]
    .map((members) => ({ total: members.reduce((n, t) => n + t.length, 0), members: members.sort((a, b) => a.length - b.length) }))
    .sort((a, b) => b.total - a.total);
  const chosen: { rank: number; round: number; text: string }[] = [];
  const taken = new Set<string>();
  let used = 0;
  for (const [round, quantile] of [0.5, 0.25, 0.75, 0.1, 0.9].entries()) {
    for (const [rank, { members }] of ranked.entries()) {
      const text = members[Math.floor(members.length * quantile)]!;
      if (taken.has(text) || used + Buffer.byteLength(text) > size) continue;
      taken.add(text);
      chosen.push({ rank, round, text });
      used += Buffer.byteLength(text);
    }
  }
  return chosen.sort((a, b) => b.round - a.round || b.rank - a.rank).map((c) => c.text).join("");
}

function moduleText(dictionary: string): string {
  const sha = createHash("sha256").update(dictionary).digest("hex");
  const lines: string[] = [];
  for (let i = 0; i < dictionary.length; i += 100) lines.push(`  ${JSON.stringify(dictionary.slice(i, i + 100))},`);
  return `/**
 * The preset dictionary of audit payloads, version 1 (format marker 0x01, audit-payload.ts):
 * typical payload text of a sandbox sweep (keys, tool names, X12 segments, FHIR keys), generated by
 * test/bench/build-audit-dictionary.ts and committed. It never changes: every row stored with
 * marker 0x01 needs exactly these bytes to decode (a test pins their SHA-256). A better dictionary
 * is version 2, with a marker of its own. The sandbox data are synthetic: no PHI.
 */

/** SHA-256 of the dictionary's UTF-8 bytes. */
export const AUDIT_DICTIONARY_V1_SHA256 = "${sha}";

/** The dictionary (${Buffer.byteLength(dictionary)} bytes of UTF-8). */
export const AUDIT_DICTIONARY_V1 = [
${lines.join("\n")}
].join("");
`;
}

main().catch((error: unknown) => {
  process.stderr.write(`build failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
