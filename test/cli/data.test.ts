import { writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../helpers/databases.js";
import { runCliCaptured, useCliDatabase } from "../helpers/cli.js";

const fixture = (f: string) => path.resolve(import.meta.dirname, "../fixtures/cms", f);
const Q4_ASP = fixture("synthetic-asp-payment-limits-2026-q4.csv");

describe.each(DATABASE_KINDS)("infusion-rcm data import and list on %s", (kind) => {
  const scratch = useCliDatabase(kind);

  it("imports a quarter's ASP file and crosswalk, once; lists them", async () => {
    const first = await runCliCaptured(["data", "import", "asp", Q4_ASP, "--quarter", "2026Q4"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: "imported", file: { kind: "asp", quarter: "2026Q4", rows: 877, importedBy: "cli", sourceName: "synthetic-asp-payment-limits-2026-q4.csv" } });
    const again = await runCliCaptured(["data", "import", "asp", Q4_ASP]);
    expect([again.code, JSON.parse(again.stdout).status]).toEqual([0, "unchanged"]);
    expect((await runCliCaptured(["data", "import", "crosswalk", fixture("synthetic-asp-ndc-hcpcs-crosswalk-2026-q4.csv")])).code).toBe(0);
    const listed = JSON.parse((await runCliCaptured(["data", "list"])).stdout) as { files: { kind: string; quarter: string }[] };
    expect(listed.files.map((f) => [f.kind, f.quarter])).toEqual([["asp", "2026Q4"], ["crosswalk", "2026Q4"]]);
  });

  it("refuses an invalid file with exit 2, naming the file, line and column, and writes nothing", async () => {
    const bad = path.join(scratch.dir(), "bad.csv");
    await writeFile(bad, readFileSync(Q4_ASP, "latin1").replace("J9035,Bevacizumab injection,10 MG,80.995,", "J9035,Bevacizumab injection,10 MG,ten,"), "latin1");
    const res = await runCliCaptured(["data", "import", "asp", bad]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/bad\.csv line \d+: Payment Limit "ten" is not a decimal amount or N\/A/);
    const wrongQuarter = await runCliCaptured(["data", "import", "asp", Q4_ASP, "--quarter", "2027Q1"]);
    expect(wrongQuarter.code).toBe(2);
    expect(wrongQuarter.stderr).toContain("the preamble says 2026 Q4");
    expect(JSON.parse((await runCliCaptured(["data", "list", "--all"])).stdout).files).toEqual([]);
  });

  it("refuses a missing kind or file with usage", async () => {
    expect((await runCliCaptured(["data", "import", "pricing", Q4_ASP])).code).toBe(2);
    const missing = await runCliCaptured(["data", "import", "asp", path.join(scratch.dir(), "nope.csv")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Cannot read");
  });
});
