/**
 * The CMS quarterly files in the database (`cms_files`, `asp_payment_limits`,
 * `ndc_hcpcs_crosswalk`, migration 0011): importing a validated file, listing what is loaded, and
 * building the in-memory pricing (`AspPricing`, `NdcCrosswalk`) from the files in force.
 *
 * An import is one transaction, serialised across processes by an advisory lock: the same bytes
 * (same SHA-256) for a quarter already loaded change nothing; a different file for a loaded
 * quarter replaces it (the old record and its rows stay, marked replaced); the import is in the
 * audit log with who made it. The file is validated in full before the transaction begins, so a
 * bad file writes nothing.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { AspPricing, aspRow, type AspQuarter } from "../../tools/coding/asp-pricing.js";
import { CmsFileKind, parseCmsFile, type ParsedCmsFile } from "../../tools/coding/cms-files.js";
import { NdcCrosswalk, type CrosswalkEntry, type CrosswalkQuarter } from "../../tools/coding/ndc.js";
import { withTransaction } from "../db/database.js";
import { appendAuditInTransaction } from "../governance/audit-log.js";

type Queryable = Pick<pg.Pool, "query">;

/** Advisory-lock key serialising imports ("cmsfiles" as two int4s). */
const IMPORT_LOCK = [0x636d7366, 0x696c6573] as const;
/** Rows per INSERT statement. */
const ROWS_PER_STATEMENT = 2_000;

/** A stored file, as the API and the CLI show it (never its text). */
export const CmsFileInfo = z.object({
  id: z.string(),
  kind: CmsFileKind,
  quarter: z.string().describe("The quarter the file's preamble states, e.g. 2026Q4"),
  effectiveFrom: z.iso.date(),
  effectiveTo: z.iso.date(),
  sourceName: z.string().describe("The file name it was imported from"),
  sha256: z.string().describe("SHA-256 of the file's bytes"),
  rows: z.number().int(),
  skipped: z.array(z.object({ line: z.number().int(), column: z.string(), reason: z.string() })).describe("Rows left out (crosswalk products listed under an alternate id, not an NDC)"),
  importedAt: z.string(),
  importedBy: z.string(),
  replacedAt: z.string().nullable().describe("When a corrected file for the same quarter replaced this one"),
  replacedBy: z.string().nullable(),
});
export type CmsFileInfo = z.infer<typeof CmsFileInfo>;

/** What an import did. */
export const ImportResult = z.object({
  status: z.enum(["imported", "replaced", "unchanged"]).describe("imported: a new quarter; replaced: a corrected file for a loaded quarter; unchanged: this file is already in force"),
  file: CmsFileInfo,
  replaced: CmsFileInfo.nullable().describe("The file this one replaced"),
});
export type ImportResult = z.infer<typeof ImportResult>;

/** An import request. */
export interface ImportRequest {
  kind: CmsFileKind;
  bytes: Uint8Array;
  /** The file's name (for messages and the record). */
  source: string;
  /** Who imports it: `cli`, `key:<id>`, `service:first-start`. */
  importedBy: string;
  /** The quarter the caller means to load; the file must state it. */
  quarter?: string;
}

const INFO_COLUMNS = `id, kind, quarter, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, to_char(effective_to, 'YYYY-MM-DD') AS effective_to,
  source_name, sha256, row_count, skipped, imported_at, imported_by, replaced_at, replaced_by`;

interface InfoRow {
  id: string; kind: CmsFileKind; quarter: string; effective_from: string; effective_to: string; source_name: string; sha256: string; row_count: number;
  skipped: CmsFileInfo["skipped"]; imported_at: Date; imported_by: string; replaced_at: Date | null; replaced_by: string | null;
}

const toInfo = (r: InfoRow): CmsFileInfo => ({
  id: r.id, kind: r.kind, quarter: r.quarter, effectiveFrom: r.effective_from, effectiveTo: r.effective_to, sourceName: r.source_name, sha256: r.sha256,
  rows: r.row_count, skipped: r.skipped, importedAt: r.imported_at.toISOString(), importedBy: r.imported_by,
  replacedAt: r.replaced_at?.toISOString() ?? null, replacedBy: r.replaced_by,
});

/** Validates a file and stores it (see the module comment); throws INVALID_DATA_FILE before writing anything. */
export async function importCmsFile(pool: pg.Pool, req: ImportRequest, now: () => Date = () => new Date()): Promise<ImportResult> {
  const file = parseCmsFile(req.kind, req.bytes, req.source, req.quarter);
  return storeCmsFile(pool, file, req.importedBy, now());
}

/** Stores a validated file in one transaction. */
export async function storeCmsFile(pool: pg.Pool, file: ParsedCmsFile, importedBy: string, at: Date): Promise<ImportResult> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [...IMPORT_LOCK]);
    const { rows: current } = await client.query<InfoRow>(
      `SELECT ${INFO_COLUMNS} FROM cms_files WHERE kind = $1 AND quarter = $2 AND replaced_at IS NULL`, [file.kind, file.quarter]);
    const previous = current[0];
    if (previous !== undefined && previous.sha256 === file.sha256) return { status: "unchanged", file: toInfo(previous), replaced: null };
    const id = randomUUID();
    // The old file leaves the quarter first: one file in force per kind and quarter (a unique index).
    if (previous !== undefined) await client.query("UPDATE cms_files SET replaced_at = $2 WHERE id = $1", [previous.id, at]);
    await client.query(
      `INSERT INTO cms_files (id, kind, quarter, effective_from, effective_to, source_name, sha256, row_count, skipped, imported_at, imported_by, raw_text)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [id, file.kind, file.quarter, file.effectiveFrom, file.effectiveTo, file.source, file.sha256, file.rows, JSON.stringify(file.skipped), at, importedBy, file.text],
    );
    if (previous !== undefined) await client.query("UPDATE cms_files SET replaced_by = $2 WHERE id = $1", [previous.id, id]);
    await insertRows(client, id, file);
    await appendAuditInTransaction(client, [{
      kind: "data.imported", actor: importedBy, subjectType: "cms-file", subjectId: id,
      payload: {
        fileKind: file.kind, quarter: file.quarter, effectiveFrom: file.effectiveFrom, effectiveTo: file.effectiveTo, sourceName: file.source,
        sha256: file.sha256, rows: file.rows, skipped: file.skipped.length, replaced: previous === undefined ? null : { id: previous.id, sha256: previous.sha256 },
      },
    }], () => at);
    const { rows } = await client.query<InfoRow>(`SELECT ${INFO_COLUMNS} FROM cms_files WHERE id = ANY($1)`, [[id, previous?.id ?? id]]);
    const info = (fileId: string) => toInfo(rows.find((r) => r.id === fileId) as InfoRow);
    return { status: previous === undefined ? "imported" : "replaced", file: info(id), replaced: previous === undefined ? null : info(previous.id) };
  });
}

async function insertRows(client: pg.PoolClient, fileId: string, file: ParsedCmsFile): Promise<void> {
  if (file.kind === "asp") {
    const rows = [...file.asp.rows.values()].map((r, i) => ({
      hcpcs: r.hcpcs, description: r.description, dosage: r.dosageText, payment_limit: r.paymentLimit, coinsurance_percent: r.coinsurancePercent, line: r.line ?? i,
    }));
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await client.query(
        `INSERT INTO asp_payment_limits (file_id, hcpcs, description, dosage, payment_limit, coinsurance_percent, line)
         SELECT $1, hcpcs, description, dosage, payment_limit::numeric, coinsurance_percent::numeric, line
         FROM jsonb_to_recordset($2::jsonb) AS r (hcpcs text, description text, dosage text, payment_limit text, coinsurance_percent text, line int)`,
        [fileId, JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT))],
      );
    }
    return;
  }
  const rows = file.crosswalk.entries.map((e, i) => ({
    ndc11: e.ndc11, hcpcs: e.hcpcs, hcpcs_description: e.hcpcsDescription, labeler: e.labeler, drug_name: e.drugName, hcpcs_dosage: e.hcpcsDosage,
    package_size: e.packageSize, package_quantity: e.packageQuantity, billing_units: e.billingUnits, billing_units_per_package: e.billingUnitsPerPackage, line: e.line ?? i,
  }));
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await client.query(
      `INSERT INTO ndc_hcpcs_crosswalk (file_id, ndc11, hcpcs, hcpcs_description, labeler, drug_name, hcpcs_dosage, package_size, package_quantity,
         billing_units, billing_units_per_package, line)
       SELECT $1, ndc11, hcpcs, hcpcs_description, labeler, drug_name, hcpcs_dosage, package_size, package_quantity, billing_units, billing_units_per_package, line
       FROM jsonb_to_recordset($2::jsonb) AS r (ndc11 text, hcpcs text, hcpcs_description text, labeler text, drug_name text, hcpcs_dosage text,
         package_size numeric, package_quantity numeric, billing_units numeric, billing_units_per_package numeric, line int)`,
      [fileId, JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT))],
    );
  }
}

/** The files in force (or every file ever imported), oldest quarter first. */
export async function listCmsFiles(db: Queryable, options: { includeReplaced?: boolean } = {}): Promise<CmsFileInfo[]> {
  const { rows } = await db.query<InfoRow>(
    `SELECT ${INFO_COLUMNS} FROM cms_files ${options.includeReplaced === true ? "" : "WHERE replaced_at IS NULL"} ORDER BY kind, effective_from, imported_at`);
  return rows.map(toInfo);
}

/** A token that changes whenever the files in force change (an import or a replacement). */
export async function cmsFilesVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ v: string }>("SELECT coalesce(string_agg(id, ',' ORDER BY id), '') AS v FROM cms_files WHERE replaced_at IS NULL");
  return rows[0]?.v ?? "";
}

/** The pricing the files in force describe, with the files. */
export async function loadPricing(db: Queryable): Promise<{ asp: AspPricing; crosswalk: NdcCrosswalk; files: CmsFileInfo[] }> {
  const files = await listCmsFiles(db);
  const ids = files.map((f) => f.id);
  const limits = await db.query<{ file_id: string; hcpcs: string; description: string; dosage: string; payment_limit: string | null; coinsurance_percent: string }>(
    `SELECT file_id, hcpcs, description, dosage, payment_limit::text, coinsurance_percent::text FROM asp_payment_limits WHERE file_id = ANY($1) ORDER BY file_id, line`, [ids]);
  const packages = await db.query<{
    file_id: string; ndc11: string; hcpcs: string; hcpcs_description: string; labeler: string; drug_name: string; hcpcs_dosage: string;
    package_size: string | null; package_quantity: string | null; billing_units: string | null; billing_units_per_package: string | null;
  }>(
    `SELECT file_id, ndc11, hcpcs, hcpcs_description, labeler, drug_name, hcpcs_dosage, package_size::text, package_quantity::text, billing_units::text,
       billing_units_per_package::text FROM ndc_hcpcs_crosswalk WHERE file_id = ANY($1) ORDER BY file_id, line`, [ids]);
  const num = (v: string | null): number | null => (v === null ? null : Number(v));
  const byFile = <R extends { file_id: string }>(rows: R[]) => {
    const grouped = new Map<string, R[]>();
    for (const r of rows) {
      const list = grouped.get(r.file_id);
      if (list === undefined) grouped.set(r.file_id, [r]);
      else list.push(r);
    }
    return grouped;
  };
  const limitsOf = byFile(limits.rows);
  const packagesOf = byFile(packages.rows);
  const aspQuarters: AspQuarter[] = [];
  const crosswalkQuarters: CrosswalkQuarter[] = [];
  for (const f of files) {
    const span = { quarter: f.quarter, effectiveFrom: f.effectiveFrom, effectiveTo: f.effectiveTo };
    if (f.kind === "asp") {
      const rows = new Map((limitsOf.get(f.id) ?? []).map((r) => [r.hcpcs, aspRow({
        hcpcs: r.hcpcs, description: r.description, dosageText: r.dosage, paymentLimit: r.payment_limit, coinsurancePercent: r.coinsurance_percent, quarter: f.quarter,
      })]));
      aspQuarters.push({ ...span, rows });
    } else {
      const entries: CrosswalkEntry[] = (packagesOf.get(f.id) ?? []).map((r) => ({
        ndc11: r.ndc11, hcpcs: r.hcpcs, hcpcsDescription: r.hcpcs_description, labeler: r.labeler, drugName: r.drug_name, hcpcsDosage: r.hcpcs_dosage,
        packageSize: num(r.package_size), packageQuantity: num(r.package_quantity), billingUnits: num(r.billing_units), billingUnitsPerPackage: num(r.billing_units_per_package),
      }));
      crosswalkQuarters.push({ ...span, entries, skipped: f.skipped });
    }
  }
  return { asp: new AspPricing(aspQuarters), crosswalk: new NdcCrosswalk(crosswalkQuarters), files };
}
