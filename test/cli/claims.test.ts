import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scrubVisit } from "../../tools/claim/scrub/index.js";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { write837 } from "../../tools/edi/writers/claim-837.js";
import { runCliCaptured } from "../helpers/cli.js";
import { cleanOfficeVisit, visit } from "../helpers/visit-records.js";

const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };
const envelope = { senderId: "S1", receiverId: "R1", interchangeControl: 1, groupControl: 1, now: new Date("2026-02-11T10:00:00Z") };

describe("infusion-rcm claims scrub", () => {
  it("exit 0 and no findings for a clean visit record read from a file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "irc-scrub-"));
    const file = path.join(dir, "visit.json");
    await writeFile(file, JSON.stringify(cleanOfficeVisit()));
    const res = await runCliCaptured(["claims", "scrub", file]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ input: "visit-record", checks: "all", claims: [{ claimId: "enc-1", clean: true, findings: [] }] });
  });

  it("exit 1 with the findings for a visit with errors, from standard input; --full adds the claims", async () => {
    const record = cleanOfficeVisit();
    record.charges[0] = { ...record.charges[0]!, units: 210 };
    const res = await runCliCaptured(["claims", "scrub", "-", "--full"], `  ${JSON.stringify(record)}`);
    expect(res.code).toBe(1);
    const out = JSON.parse(res.stdout);
    expect(out.claims[0].findings.map((f: { code: string }) => f.code)).toEqual(["DRUG_UNITS", "CLAIM_BALANCE"]);
    expect(out.claims[0].corrected.lines[0].units).toBe(200);
  });

  it("reads an 837 (ISA) with the claim-only checks", async () => {
    const { corrected } = scrubVisit(visit(), loadCodingTables());
    const clean = await runCliCaptured(["claims", "scrub", "-"], write837([corrected], parties, envelope));
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ input: "837", checks: "claim-only" });
    const dup = { ...corrected, lines: [...corrected.lines, corrected.lines[1]!], totalCharge: "18757.80" };
    const res = await runCliCaptured(["claims", "scrub", "-"], write837([dup], parties, envelope));
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).claims[0].findings.map((f: { code: string }) => f.code)).toEqual(["DUPLICATE_LINE", "CLAIM_BALANCE"]);
  });

  it("exit 2 on bad input, naming the field", async () => {
    const res = await runCliCaptured(["claims", "scrub", "-"], JSON.stringify({ ...cleanOfficeVisit(), siteOfCare: "home" }));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("siteOfCare");
    expect((await runCliCaptured(["claims", "scrub", "-"], "neither"))).toMatchObject({ code: 2 });
    expect((await runCliCaptured(["claims", "scrub", "/nonexistent.json"])).code).toBe(2);
    expect((await runCliCaptured(["claims", "frob"])).code).toBe(2);
  });
});
