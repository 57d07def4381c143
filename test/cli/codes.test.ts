import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";

const json = (s: string) => JSON.parse(s) as Record<string, unknown>;

describe("infusion-rcm codes", () => {
  it("units: paclitaxel 332.5 mg → 333", async () => {
    const r = await runCliCaptured(["codes", "units", "--hcpcs", "J9267", "--dose", "332.5 mg"]);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({ hcpcs: "J9267", billingUnits: 333 });
  });

  it("ndc: 4-4-2 → 11 digits with HCPCS and billing units per package", async () => {
    const r = await runCliCaptured(["codes", "ndc", "0006-3026-02"]);
    expect(json(r.stdout)).toMatchObject({ ndc11: "00006302602", hcpcs: "J9271", billingUnitsPerPackage: 100 });
  });

  it("price: Medicare with decimal strings and the quarter", async () => {
    const r = await runCliCaptured(["codes", "price", "--hcpcs", "J9271", "--units", "200", "--dos", "2026-02-10", "--payer", "medicare"]);
    expect(json(r.stdout)).toMatchObject({ allowed: "11945.20", payerPays: "9365.04", patientPays: "2389.04", sequestration: "191.12", quarter: "2026Q1" });
  });

  it("admin: lines and findings from an events file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "irc-codes-"));
    const file = path.join(dir, "events.json");
    await writeFile(file, JSON.stringify({ events: [
      { drug: "paclitaxel", hcpcs: "J9267", class: "chemotherapy", route: "iv-infusion", start: "2026-02-10T09:00:00", stop: "2026-02-10T12:00:00", site: "A" },
      { drug: "carboplatin", hcpcs: "J9045", class: "chemotherapy", route: "iv-infusion", start: "2026-02-10T12:05:00", site: "A" },
    ] }));
    const r = await runCliCaptured(["codes", "admin", "--events", file]);
    const out = json(r.stdout) as { lines: { cpt: string; units: number; modifiers: string[] }[]; findings: { code: string }[] };
    expect(out.lines.map((l) => ({ cpt: l.cpt, units: l.units, modifiers: l.modifiers }))).toEqual([{ cpt: "96413", units: 1, modifiers: [] }, { cpt: "96415", units: 2, modifiers: [] }]);
    expect(out.findings.map((f) => f.code)).toEqual(["MISSING_STOP_TIME"]);
  });

  it("carc: 197 is authorization, appealable", async () => {
    expect(json((await runCliCaptured(["codes", "carc", "197"])).stdout)).toMatchObject({ code: "197", category: "authorization", appealable: true });
  });

  it("bad input exits 2 with a message naming the problem", async () => {
    const noUnit = await runCliCaptured(["codes", "units", "--hcpcs", "J9267", "--dose", "332.5"]);
    expect(noUnit.code).toBe(2);
    expect(noUnit.stderr).toMatch(/has no unit/);
    const badNdc = await runCliCaptured(["codes", "ndc", "12-34"]);
    expect(badNdc.code).toBe(2);
    expect((await runCliCaptured(["codes", "price", "--hcpcs", "J9271", "--units", "1", "--dos", "2026-02-10", "--payer", "aetna"])).stderr).toMatch(/--payer must be/);
    expect((await runCliCaptured(["codes", "carc", "ZZZ"])).code).toBe(2);
    expect((await runCliCaptured(["codes", "admin", "--events", "/nope.json"])).code).toBe(2);
  });
});
