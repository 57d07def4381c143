import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codingDataDir } from "../../tools/coding/data-files.js";
import { AppError } from "../../tools/errors.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { cmsFilesVersion, importCmsFile, listCmsFiles, loadPricing } from "../../src/reference-data/cms-file-store.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

const q1Bytes = readFileSync(path.join(codingDataDir(), "asp-payment-limits-2026-q1.csv"));
const q4Bytes = readFileSync(path.resolve(import.meta.dirname, "../fixtures/cms/synthetic-asp-payment-limits-2026-q4.csv"));
const q4Crosswalk = readFileSync(path.resolve(import.meta.dirname, "../fixtures/cms/synthetic-asp-ndc-hcpcs-crosswalk-2026-q4.csv"));
/** A corrected Q4 file: J9271 reissued at $66.000. */
const q4Corrected = Buffer.from(q4Bytes.toString("latin1").replace("J9271,Inj pembrolizumab,1 MG,65.699,", "J9271,Inj pembrolizumab,1 MG,66.000,"), "latin1");

describe.each(DATABASE_KINDS)("CMS quarterly files in the database on %s", (kind) => {
  let t: TestDatabase;
  const at = () => new Date("2026-12-01T09:00:00Z");
  const counts = async () => (await t.db.pool.query<{ files: number; limits: number; packages: number }>(
    `SELECT (SELECT count(*) FROM cms_files)::int AS files, (SELECT count(*) FROM asp_payment_limits)::int AS limits,
       (SELECT count(*) FROM ndc_hcpcs_crosswalk)::int AS packages`)).rows[0];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => t.drop());

  it("imports a quarter's file with its rows exact, records who and what, and prices from it", async () => {
    const r = await importCmsFile(t.db.pool, { kind: "asp", bytes: q1Bytes, source: "asp-payment-limits-2026-q1.csv", importedBy: "cli" }, at);
    expect(r).toMatchObject({ status: "imported", replaced: null, file: { kind: "asp", quarter: "2026Q1", effectiveFrom: "2026-01-01", effectiveTo: "2026-03-31", rows: 877, importedBy: "cli", replacedAt: null } });
    const { rows } = await t.db.pool.query("SELECT payment_limit::text AS l, coinsurance_percent::text AS c FROM asp_payment_limits WHERE hcpcs = 'J0897'");
    expect(rows).toEqual([{ l: "29.457", c: "17.585" }]);
    const raw = await t.db.pool.query("SELECT raw_text, sha256 FROM cms_files WHERE id = $1", [r.file.id]);
    expect(raw.rows[0].raw_text).toBe(q1Bytes.toString("latin1"));
    const audit = await queryAudit(t.db.pool, { kind: "data.imported" });
    expect(audit.map((e) => [e.actor, (e.payload as { quarter: string }).quarter])).toEqual([["cli", "2026Q1"]]);
    const { asp } = await loadPricing(t.db.pool);
    expect(asp.lookup("J9271", "2026-02-10")).toMatchObject({ paymentLimit: "59.726", quarter: "2026Q1" });
  });

  it("re-importing the same file changes nothing", async () => {
    const before = await counts();
    const version = await cmsFilesVersion(t.db.pool);
    const again = await importCmsFile(t.db.pool, { kind: "asp", bytes: q1Bytes, source: "renamed.csv", importedBy: "key:someone" }, at);
    expect(again.status).toBe("unchanged");
    expect(again.file.sourceName).toBe("asp-payment-limits-2026-q1.csv");
    expect(await counts()).toEqual(before);
    expect(await cmsFilesVersion(t.db.pool)).toBe(version);
    expect(await queryAudit(t.db.pool, { kind: "data.imported" })).toHaveLength(1);
  });

  it("a bad file writes nothing and names file, line and column", async () => {
    const before = await counts();
    const bad = Buffer.from(q4Bytes.toString("latin1").replace("J9271,Inj pembrolizumab,1 MG,65.699,", "J9271,Inj pembrolizumab,1 MG,six,"), "latin1");
    const error = await importCmsFile(t.db.pool, { kind: "asp", bytes: bad, source: "bad.csv", importedBy: "cli" }, at).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("INVALID_DATA_FILE");
    expect((error as AppError).details).toMatchObject({ source: "bad.csv", column: "Payment Limit", line: expect.any(Number) });
    expect(await counts()).toEqual(before);
  });

  it("a second quarter sits beside the first; a corrected file for it replaces it in one step, the old one kept as replaced", async () => {
    const q4 = await importCmsFile(t.db.pool, { kind: "asp", bytes: q4Bytes, source: "q4.csv", importedBy: "cli" }, at);
    expect(q4.status).toBe("imported");
    let { asp } = await loadPricing(t.db.pool);
    expect(asp.priceRow("J9271", "2026-11-10")).toMatchObject({ priceQuarter: "2026Q4", stale: false, row: { paymentLimit: "65.699" } });
    expect(asp.lookup("J9271", "2026-02-10")?.paymentLimit).toBe("59.726");

    const fixed = await importCmsFile(t.db.pool, { kind: "asp", bytes: q4Corrected, source: "q4-corrected.csv", importedBy: "key:admin" }, () => new Date("2026-12-02T09:00:00Z"));
    expect(fixed).toMatchObject({ status: "replaced", file: { quarter: "2026Q4", sourceName: "q4-corrected.csv" }, replaced: { id: q4.file.id, replacedBy: fixed.file.id, replacedAt: "2026-12-02T09:00:00.000Z" } });
    ({ asp } = await loadPricing(t.db.pool));
    expect(asp.lookup("J9271", "2026-11-10")?.paymentLimit).toBe("66.000");
    expect((await listCmsFiles(t.db.pool)).map((f) => [f.quarter, f.sourceName])).toEqual([["2026Q1", "asp-payment-limits-2026-q1.csv"], ["2026Q4", "q4-corrected.csv"]]);
    expect(await listCmsFiles(t.db.pool, { includeReplaced: true })).toHaveLength(3);
    const audit = await queryAudit(t.db.pool, { kind: "data.imported" });
    expect(audit.at(-1)?.payload).toMatchObject({ quarter: "2026Q4", replaced: { id: q4.file.id } });
  });

  it("the crosswalk is stored and looked up by the quarter in force", async () => {
    const r = await importCmsFile(t.db.pool, { kind: "crosswalk", bytes: q4Crosswalk, source: "cw-q4.csv", importedBy: "cli", quarter: "2026Q4" }, at);
    expect(r.file).toMatchObject({ kind: "crosswalk", quarter: "2026Q4", skipped: [] });
    const { crosswalk } = await loadPricing(t.db.pool);
    expect(crosswalk.matches("00006302602", "J9271", "2026-11-10")).toEqual({ known: true, matches: true, hcpcs: ["J9271"] });
    const [e] = crosswalk.entries("00006302602", "2026-11-10");
    expect(e).toMatchObject({ packageSize: 4, billingUnitsPerPackage: 100 });
    // No crosswalk on or before a Q1 date is loaded here: nothing is known then.
    expect(crosswalk.matches("00006302602", "J9271", "2026-02-10").known).toBe(false);
  });

  it("refuses a file for another quarter than the one asked for, writing nothing", async () => {
    const before = await counts();
    await expect(importCmsFile(t.db.pool, { kind: "asp", bytes: q4Bytes, source: "q4.csv", importedBy: "cli", quarter: "2027Q1" }, at)).rejects.toMatchObject({ code: "INVALID_DATA_FILE" });
    expect(await counts()).toEqual(before);
  });
});
