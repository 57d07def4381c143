/**
 * CMS's NCCI PTP and MUE files in the database (`code_edit_files`, `ncci_ptp_edits`, `mue_values`,
 * migration 0024): importing a validated file, listing what is loaded, and building the imported
 * quarters the `CodeEdits` checker uses by date of service.
 *
 * Like the ASP files (cms-file-store.ts): one transaction per import under an advisory lock; the
 * same bytes for a quarter, setting and part already loaded change nothing; a different file
 * replaces it (the old record and rows stay, marked replaced); the import is audited
 * (`data.imported`). The file is validated in full before the transaction begins, so a bad file
 * writes nothing.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import type { EditSetting, Mue, NcciPair } from "../../tools/coding/code-edit-files.js";
import { CodeEditFileKind, EditSettingSchema, parseCodeEditFile, type CodeEditPlacement, type ParsedCodeEditFile } from "../../tools/coding/code-edit-import.js";
import type { ImportedEdits, MueQuarter, PtpQuarter } from "../../tools/coding/edits.js";
import { withTransaction } from "../db/database.js";
import { appendAuditInTransaction } from "../governance/audit-log.js";

type Queryable = Pick<pg.Pool, "query">;

/** Advisory-lock key serialising imports ("ncciedit" as two int4s). */
const IMPORT_LOCK = [0x6e636369, 0x65646974] as const;
/** Rows per INSERT statement (7 parameters a row, under PostgreSQL's 65,535). */
const ROWS_PER_STATEMENT = 5_000;

/** A stored file, as the API and the CLI show it (never its text). */
export const CodeEditFileInfo = z.object({
  id: z.string(),
  kind: CodeEditFileKind,
  setting: EditSettingSchema,
  quarter: z.string().describe("The quarter the file is CMS's file for, e.g. 2026Q4"),
  part: z.string().describe("f1…f4 for a part of a split PTP table; empty for a whole table"),
  effectiveFrom: z.iso.date(),
  effectiveTo: z.iso.date(),
  sourceName: z.string(),
  sha256: z.string(),
  rows: z.number().int(),
  importedAt: z.string(),
  importedBy: z.string(),
  replacedAt: z.string().nullable(),
  replacedBy: z.string().nullable(),
});
export type CodeEditFileInfo = z.infer<typeof CodeEditFileInfo>;

/** What an import did. */
export const CodeEditImportResult = z.object({
  status: z.enum(["imported", "replaced", "unchanged"]),
  file: CodeEditFileInfo,
  replaced: CodeEditFileInfo.nullable(),
});
export type CodeEditImportResult = z.infer<typeof CodeEditImportResult>;

/** An import request. */
export interface CodeEditImportRequest extends CodeEditPlacement {
  kind: CodeEditFileKind;
  bytes: Uint8Array;
  source: string;
  importedBy: string;
}

const INFO_COLUMNS = `id, kind, setting, quarter, part, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, to_char(effective_to, 'YYYY-MM-DD') AS effective_to,
  source_name, sha256, row_count, imported_at, imported_by, replaced_at, replaced_by`;

interface InfoRow {
  id: string; kind: CodeEditFileKind; setting: EditSetting; quarter: string; part: string; effective_from: string; effective_to: string; source_name: string;
  sha256: string; row_count: number; imported_at: Date; imported_by: string; replaced_at: Date | null; replaced_by: string | null;
}

const toInfo = (r: InfoRow): CodeEditFileInfo => ({
  id: r.id, kind: r.kind, setting: r.setting, quarter: r.quarter, part: r.part, effectiveFrom: r.effective_from, effectiveTo: r.effective_to,
  sourceName: r.source_name, sha256: r.sha256, rows: r.row_count, importedAt: r.imported_at.toISOString(), importedBy: r.imported_by,
  replacedAt: r.replaced_at?.toISOString() ?? null, replacedBy: r.replaced_by,
});

/** Validates a file and stores it; throws INVALID_DATA_FILE before writing anything. */
export async function importCodeEditFile(pool: pg.Pool, req: CodeEditImportRequest, now: () => Date = () => new Date()): Promise<CodeEditImportResult> {
  const file = parseCodeEditFile(req.kind, req.bytes, req.source, { quarter: req.quarter, setting: req.setting, part: req.part });
  return storeCodeEditFile(pool, file, req.importedBy, now());
}

/** Stores a validated file in one transaction. */
export async function storeCodeEditFile(pool: pg.Pool, file: ParsedCodeEditFile, importedBy: string, at: Date): Promise<CodeEditImportResult> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [...IMPORT_LOCK]);
    const { rows: current } = await client.query<InfoRow>(
      `SELECT ${INFO_COLUMNS} FROM code_edit_files WHERE kind = $1 AND setting = $2 AND quarter = $3 AND part = $4 AND replaced_at IS NULL`,
      [file.kind, file.setting, file.quarter, file.part]);
    const previous = current[0];
    if (previous !== undefined && previous.sha256 === file.sha256) return { status: "unchanged", file: toInfo(previous), replaced: null };
    const id = randomUUID();
    if (previous !== undefined) await client.query("UPDATE code_edit_files SET replaced_at = $2 WHERE id = $1", [previous.id, at]);
    await client.query(
      `INSERT INTO code_edit_files (id, kind, setting, quarter, part, effective_from, effective_to, source_name, sha256, row_count, imported_at, imported_by, raw_text)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [id, file.kind, file.setting, file.quarter, file.part, file.effectiveFrom, file.effectiveTo, file.source, file.sha256, file.rows, at, importedBy, file.text],
    );
    if (previous !== undefined) await client.query("UPDATE code_edit_files SET replaced_by = $2 WHERE id = $1", [previous.id, id]);
    await insertRows(client, id, file);
    await appendAuditInTransaction(client, [{
      kind: "data.imported", actor: importedBy, subjectType: "code-edit-file", subjectId: id,
      payload: {
        fileKind: file.kind, setting: file.setting, quarter: file.quarter, part: file.part, sourceName: file.source, sha256: file.sha256, rows: file.rows,
        replaced: previous === undefined ? null : { id: previous.id, sha256: previous.sha256 },
      },
    }], () => at);
    const { rows } = await client.query<InfoRow>(`SELECT ${INFO_COLUMNS} FROM code_edit_files WHERE id = ANY($1)`, [[id, previous?.id ?? id]]);
    const info = (fileId: string) => toInfo(rows.find((r) => r.id === fileId) as InfoRow);
    return { status: previous === undefined ? "imported" : "replaced", file: info(id), replaced: previous === undefined ? null : info(previous.id) };
  });
}

async function insertRows(client: pg.PoolClient, fileId: string, file: ParsedCodeEditFile): Promise<void> {
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      const params: unknown[] = [];
      const tuples = chunk.map((r) => `(${r.map((v) => { params.push(v); return `$${params.length}`; }).join(", ")})`);
      await client.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`, params);
    }
  };
  if (file.kind === "ncci-ptp") {
    await insert("ncci_ptp_edits", ["file_id", "line", "column1", "column2", "effective", "deleted", "modifier_indicator", "rationale"],
      file.pairs.map((p, i) => [fileId, p.line ?? i + 1, p.column1, p.column2, p.effective, p.deleted, p.modifierIndicator, p.rationale]));
  } else {
    await insert("mue_values", ["file_id", "code", "max_units", "adjudication_indicator", "rationale", "line"],
      file.mues.map((m, i) => [fileId, m.code, m.maxUnits, m.adjudicationIndicator, m.rationale, m.line ?? i + 1]));
  }
}

/** The files in force (or every file imported). */
export async function listCodeEditFiles(db: Queryable, options: { includeReplaced?: boolean } = {}): Promise<CodeEditFileInfo[]> {
  const { rows } = await db.query<InfoRow>(
    `SELECT ${INFO_COLUMNS} FROM code_edit_files ${options.includeReplaced === true ? "" : "WHERE replaced_at IS NULL"} ORDER BY kind, setting, effective_from, part, imported_at`);
  return rows.map(toInfo);
}

/** A token that changes whenever the files in force change. */
export async function codeEditFilesVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ v: string }>("SELECT coalesce(string_agg(id, ',' ORDER BY id), '') AS v FROM code_edit_files WHERE replaced_at IS NULL");
  return rows[0]?.v ?? "";
}

/** The imported quarters the files in force make (a PTP quarter gathers its parts), oldest first. */
export async function loadImportedEdits(db: Queryable): Promise<{ edits: ImportedEdits; files: CodeEditFileInfo[] }> {
  const files = await listCodeEditFiles(db);
  const ids = files.map((f) => f.id);
  const pairs = await db.query<{ file_id: string; line: number; column1: string; column2: string; effective: string; deleted: string | null; modifier_indicator: NcciPair["modifierIndicator"]; rationale: string }>(
    // A pair deleted by the quarter's first day applies to none of its dates of service (nor later
    // ones: a quarter is never used for dates before it), so it is not loaded; CMS's files keep them all.
    `SELECT e.file_id, e.line, e.column1, e.column2, to_char(e.effective, 'YYYY-MM-DD') AS effective, to_char(e.deleted, 'YYYY-MM-DD') AS deleted,
       e.modifier_indicator, e.rationale
       FROM ncci_ptp_edits e JOIN code_edit_files f ON f.id = e.file_id
      WHERE e.file_id = ANY($1) AND (e.deleted IS NULL OR e.deleted > f.effective_from) ORDER BY e.file_id, e.line`, [ids]);
  const mues = await db.query<{ file_id: string; code: string; max_units: number; adjudication_indicator: Mue["adjudicationIndicator"]; rationale: string; line: number }>(
    "SELECT file_id, code, max_units, adjudication_indicator, rationale, line FROM mue_values WHERE file_id = ANY($1) ORDER BY file_id, line", [ids]);
  const quarterOfFile = new Map<string, PtpQuarter | MueQuarter>();
  const ptp = new Map<string, PtpQuarter>();
  const mue = new Map<string, MueQuarter>();
  for (const f of files) {
    const key = `${f.setting} ${f.quarter}`;
    const span = { quarter: f.quarter, effectiveFrom: f.effectiveFrom, effectiveTo: f.effectiveTo, setting: f.setting };
    if (f.kind === "ncci-ptp") {
      const q = ptp.get(key) ?? { ...span, sources: [], pairs: [] };
      q.sources.push(f.sourceName);
      ptp.set(key, q);
      quarterOfFile.set(f.id, q);
    } else {
      const q = { ...span, sources: [f.sourceName], mues: new Map<string, Mue>() };
      mue.set(key, q);
      quarterOfFile.set(f.id, q);
    }
  }
  const sourceOf = new Map(files.map((f) => [f.id, f.sourceName]));
  for (const r of pairs.rows) {
    (quarterOfFile.get(r.file_id) as PtpQuarter).pairs.push({
      column1: r.column1, column2: r.column2, effective: r.effective, deleted: r.deleted, modifierIndicator: r.modifier_indicator, rationale: r.rationale, line: r.line,
      source: sourceOf.get(r.file_id),
    });
  }
  for (const r of mues.rows) {
    (quarterOfFile.get(r.file_id) as MueQuarter).mues.set(r.code, { code: r.code, maxUnits: r.max_units, adjudicationIndicator: r.adjudication_indicator, rationale: r.rationale, line: r.line, source: sourceOf.get(r.file_id) });
  }
  const byStart = <Q extends { effectiveFrom: string }>(list: Q[]) => list.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  return { edits: { ptp: byStart([...ptp.values()]), mue: byStart([...mue.values()]) }, files };
}
