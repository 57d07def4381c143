/**
 * The service's CMS quarterly files: on first start the shipped 2026 Q1 files are imported when
 * none of a kind is loaded (so a fresh service prices as before); the pricing the agents use
 * (`CodingTables.asp`, `.crosswalk`, `.drugs`) is built from the files in force in the database;
 * and a quarter imported by another process (the CLI on a PostgreSQL server) is picked up: the
 * files' version is checked every `checkEveryMs` (one small query) and after each import made
 * through this process. Alerts for missing quarters are logged once each (warn) and cleared
 * when the file arrives. The NCCI PTP and MUE quarters a clinic imports are picked up the same way
 * (`CodingTables.edits`, over the shipped samples).
 */
import path from "node:path";
import type pg from "pg";
import type { Logger } from "pino";
import { SHIPPED_ASP_FILE } from "../../tools/coding/asp-pricing.js";
import type { CmsFileKind } from "../../tools/coding/cms-files.js";
import { usePricing, type CodingTables } from "../../tools/coding/coding-tables.js";
import { readDataFileBytes } from "../../tools/coding/csv-file.js";
import { codingDataDir } from "../../tools/coding/data-files.js";
import { SHIPPED_CROSSWALK_FILE } from "../../tools/coding/ndc.js";
import { isConnectionError } from "../db/database.js";
import { codeEditFilesVersion, importCodeEditFile, loadImportedEdits, type CodeEditFileInfo, type CodeEditImportRequest, type CodeEditImportResult } from "./code-edit-store.js";
import { cmsFilesVersion, importCmsFile, listCmsFiles, loadPricing, type CmsFileInfo, type ImportRequest, type ImportResult } from "./cms-file-store.js";
import { dataAlerts, type DataAlert } from "./data-alerts.js";

/** The files shipped with the service, by kind. */
const SHIPPED: Record<CmsFileKind, string> = { asp: SHIPPED_ASP_FILE, crosswalk: SHIPPED_CROSSWALK_FILE };

/** What the reference data runs on. */
export interface ReferenceDataOptions {
  pool: pg.Pool;
  /** The tables the agents hold; their pricing is swapped when the files change. */
  tables: CodingTables;
  logger: Logger;
  now: () => Date;
  /** How often to look for files imported by another process (0: only when asked). */
  checkEveryMs: number;
}

/** The CMS quarterly files this process prices from. */
export class ReferenceData {
  private version: string | null = null;
  private editsVersion: string | null = null;
  private files: CmsFileInfo[] = [];
  private editFiles: CodeEditFileInfo[] = [];
  private readonly logged = new Map<string, DataAlert>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ReferenceDataOptions) {}

  /** Imports the shipped files of a kind none of which is loaded, then loads the pricing. */
  async prepare(): Promise<void> {
    const loaded = new Set((await listCmsFiles(this.o.pool)).map((f) => f.kind));
    for (const kind of ["asp", "crosswalk"] as const) {
      if (loaded.has(kind)) continue;
      const file = path.join(codingDataDir(), SHIPPED[kind]);
      const result = await importCmsFile(this.o.pool, { kind, bytes: readDataFileBytes(file), source: SHIPPED[kind], importedBy: "service:first-start" }, this.o.now);
      this.o.logger.info({ kind, quarter: result.file.quarter, rows: result.file.rows, status: result.status }, `imported the shipped CMS ${kind} file for ${result.file.quarter}`);
    }
    await this.refresh();
  }

  /** Reloads the pricing when the files in force changed; returns whether it did. Logs new and cleared alerts. */
  refresh(): Promise<boolean> {
    const next = this.chain.then(() => this.refreshOnce());
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Imports a file through this process and picks it up at once. */
  async importFile(req: ImportRequest): Promise<ImportResult> {
    const result = await importCmsFile(this.o.pool, req, this.o.now);
    await this.refresh();
    return result;
  }

  /** Imports an NCCI PTP or MUE file through this process and picks it up at once. */
  async importCodeEditFile(req: CodeEditImportRequest): Promise<CodeEditImportResult> {
    const result = await importCodeEditFile(this.o.pool, req, this.o.now);
    await this.refresh();
    return result;
  }

  /** The NCCI PTP and MUE files in force, as last loaded. */
  loadedCodeEditFiles(): CodeEditFileInfo[] {
    return this.editFiles;
  }

  /** The files in force, as last loaded. */
  loaded(): CmsFileInfo[] {
    return this.files;
  }

  /** The alerts as of now. */
  alerts(): DataAlert[] {
    return dataAlerts(this.files, this.today());
  }

  /** Starts looking for files imported elsewhere. */
  start(): void {
    if (this.o.checkEveryMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => {
        // A database that is down is the readiness probe's to report, not this check's, every interval.
        if (!isConnectionError(error)) this.o.logger.warn({ err: { message: (error as Error).message } }, "could not check the CMS quarterly files");
      });
    }, this.o.checkEveryMs);
    this.timer.unref();
  }

  /** Stops looking (on shutdown). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async refreshOnce(): Promise<boolean> {
    const version = await cmsFilesVersion(this.o.pool);
    const changed = version !== this.version;
    if (changed) {
      const { asp, crosswalk, files } = await loadPricing(this.o.pool);
      usePricing(this.o.tables, asp, crosswalk);
      this.files = files;
      this.version = version;
      this.o.logger.info(
        { asp: asp.list().map((q) => q.quarter), crosswalk: crosswalk.list().map((q) => q.quarter) },
        `pricing from the CMS quarterly files in the database (ASP: ${asp.list().map((q) => q.quarter).join(", ") || "none"})`,
      );
    }
    const editsChanged = await this.refreshEdits();
    this.logAlerts();
    return changed || editsChanged;
  }

  /** Swaps in the imported NCCI/MUE quarters when the files in force changed (the shipped samples stay the default). */
  private async refreshEdits(): Promise<boolean> {
    const version = await codeEditFilesVersion(this.o.pool);
    if (version === this.editsVersion) return false;
    const { edits, files } = await loadImportedEdits(this.o.pool);
    this.o.tables.edits = this.o.tables.edits.withImported(edits);
    this.editFiles = files;
    this.editsVersion = version;
    this.o.logger.info(
      { ptp: edits.ptp.map((q) => `${q.setting} ${q.quarter}`), mue: edits.mue.map((q) => `${q.setting} ${q.quarter}`) },
      `code edits: the shipped samples, and the NCCI quarters imported (PTP: ${edits.ptp.map((q) => `${q.setting} ${q.quarter}`).join(", ") || "none"}; MUE: ${edits.mue.map((q) => `${q.setting} ${q.quarter}`).join(", ") || "none"})`,
    );
    return true;
  }

  /** Each alert once (warn) while it lasts; a cleared one once (info). */
  private logAlerts(): void {
    const current = new Map(this.alerts().map((a) => [a.id, a]));
    for (const [id, alert] of current) {
      if (this.logged.has(id)) continue;
      this.logged.set(id, alert);
      this.o.logger.warn({ alert }, `${alert.message}: ${alert.impact}`);
    }
    for (const [id, alert] of this.logged) {
      if (current.has(id)) continue;
      this.logged.delete(id);
      const arrived = this.files.some((f) => f.kind === alert.kind && f.quarter === alert.quarter);
      this.o.logger.info({ alertId: id }, arrived ? `alert cleared: the file is loaded (${alert.message})` : `alert replaced: ${alert.message}`);
    }
  }

  /**
   * The code edits the agents check claims against: the default ones (NCCI pairs, MUEs) and
   * whether they are the shipped samples, and the CMS files imported over them for their quarters.
   */
  codeEdits(): { ncciPairs: number; mues: number; sample: boolean; files: CodeEditFileInfo[] } {
    const edits = this.o.tables.edits;
    return { ncciPairs: edits.pairs.length, mues: edits.mues.size, sample: edits.sample, files: this.editFiles };
  }

  /** Today's date (YYYY-MM-DD) on the service's clock. */
  today(): string {
    return this.o.now().toISOString().slice(0, 10);
  }
}
