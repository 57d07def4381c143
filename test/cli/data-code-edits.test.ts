import { writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../helpers/databases.js";
import { runCliCaptured, useCliDatabase } from "../helpers/cli.js";

const fixture = (f: string) => path.resolve(import.meta.dirname, "../fixtures/cms", f);

describe.each(DATABASE_KINDS)("infusion-rcm data import ncci-ptp|mue on %s", (kind) => {
  const scratch = useCliDatabase(kind);

  it("imports CMS's tab-delimited PTP part and CSV MUE table for a quarter, and lists them", async () => {
    const ptp = await runCliCaptured(["data", "import", "ncci-ptp", fixture("ncci-ptp-practitioner-2026q3-f1.txt"), "--quarter", "2026Q3"]);
    expect([ptp.code, ptp.stderr]).toEqual([0, ""]);
    expect(JSON.parse(ptp.stdout)).toMatchObject({ status: "imported", file: { kind: "ncci-ptp", setting: "practitioner", part: "f1", quarter: "2026Q3", rows: 10, importedBy: "cli" } });
    const mue = await runCliCaptured(["data", "import", "mue", fixture("mue-hospital-2026q4.txt"), "--quarter", "2026Q4"]);
    expect(JSON.parse(mue.stdout)).toMatchObject({ status: "imported", file: { kind: "mue", setting: "hospital", rows: 2 } });
    const listed = JSON.parse((await runCliCaptured(["data", "list"])).stdout) as { files: unknown[]; codeEditFiles: { kind: string; setting: string; quarter: string }[] };
    expect(listed.codeEditFiles.map((f) => `${f.kind} ${f.setting} ${f.quarter}`)).toEqual(["mue hospital 2026Q4", "ncci-ptp practitioner 2026Q3"]);
  });

  it("refuses a malformed row with exit 2, naming file, line and column, and writes nothing; and requires --quarter", async () => {
    const bad = path.join(scratch.dir(), "ccipra-v333r0-f2.txt");
    await writeFile(bad, readFileSync(fixture("ncci-ptp-practitioner-2026q3-f1.txt"), "utf8").replace("96416\t96413\t\t20100101", "96416\t96413\t\t2010-01-01"));
    const res = await runCliCaptured(["data", "import", "ncci-ptp", bad, "--quarter", "2026Q3"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('ccipra-v333r0-f2.txt line 9: Effective Date "2010-01-01" is not a date (YYYYMMDD)');
    const noQuarter = await runCliCaptured(["data", "import", "mue", fixture("mue-practitioner-2026q3.csv")]);
    expect([noQuarter.code, noQuarter.stderr]).toEqual([2, expect.stringContaining("--quarter is required")]);
    const badSetting = await runCliCaptured(["data", "import", "mue", fixture("mue-practitioner-2026q3.csv"), "--quarter", "2026Q3", "--setting", "dme"]);
    expect(badSetting.code).toBe(2);
    expect(JSON.parse((await runCliCaptured(["data", "list", "--all"])).stdout).codeEditFiles).toEqual([]);
  });
});
