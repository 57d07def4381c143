/**
 * Free text from the chart (notes, doses) is read in linear time. Regressions: the offline
 * extractor's diagnosis pattern (`[A-Za-z ,-]*?(?:cancer|…)`), the dose pattern (`\s*` beside a unit
 * class that also took blanks) and the concentration pattern (`(.+?)\s*\/\s*…`) backtracked
 * quadratically — 40,000 characters took about a second each, a 1 MB note minutes. So did the
 * model provider's code-fence pattern (`\s*```$`) on a model answer ending in a long run of blanks.
 */
import { describe, expect, it } from "vitest";
import { millis } from "../helpers/timing.js";
import { extractJustificationOffline } from "../../agents/prior-auth/note-extraction.js";
import { withoutFence } from "../../src/llm/openai-provider.js";
import { parseConcentration, parseDose } from "../../tools/coding/dose.js";

const MB = 1_000_000;

describe("chart text in linear time", () => {
  it("a 1 MB note without a cancer word, or with a long 'patient with' line, is read in well under a second", () => {
    expect(millis(() => extractJustificationOffline("a ".repeat(MB / 2) + "!", []))).toBeLessThan(1500);
    expect(millis(() => extractJustificationOffline(`patient with ${"a ".repeat(MB / 2)}\n`, []))).toBeLessThan(1500);
    expect(millis(() => extractJustificationOffline(`PD-L1 ${"a".repeat(MB / 2)} ${" ".repeat(MB / 2)}stagex prior therapy${" ".repeat(MB / 2)}`, []))).toBeLessThan(1500);
  });

  it("the diagnosis is still the phrase around the first cancer word, and the abbreviations as written", () => {
    expect(extractJustificationOffline("Assessment: metastatic non-small cell lung cancer. PD-L1 80%.", []).diagnosis?.value).toBe("metastatic non-small cell lung cancer");
    expect(extractJustificationOffline("Dx: NSCLC, stage IV.", []).diagnosis?.value).toBe("NSCLC");
    expect(extractJustificationOffline("Patient with   diffuse large B-cell lymphoma,\n  stage III", []).diagnosis?.value).toBe("diffuse large B-cell lymphoma");
    expect(extractJustificationOffline("No diagnosis words here.", []).diagnosis).toBeNull();
  });

  it("a dose or concentration with a long run of blanks is refused at once; good ones still parse", () => {
    const blanks = " ".repeat(MB);
    expect(millis(() => parseDose(`1${blanks}!`))).toBeLessThan(200);
    expect(millis(() => parseConcentration(`1${blanks}x`))).toBeLessThan(200);
    expect(millis(() => parseConcentration(`25 mg /${blanks}ml!`))).toBeLessThan(200);
    expect(() => parseDose(`1${blanks}!`)).toThrow(/not a number followed by a unit/);
    expect(parseDose("332.5 mg")).toMatchObject({ unit: "mg" });
    expect(parseDose("10 MG").amount.toString()).toBe("10");
    expect(() => parseDose("332.5")).toThrow(/has no unit/);
    expect(parseConcentration("100 mg / 4 ml").amount.toString()).toBe("25");
    expect(parseConcentration("25 mg/mL")).toMatchObject({ unit: "mg" });
    expect(() => parseConcentration("1 / ml")).toThrow(/has no unit/);
  });

  it("a model answer with a long run of blanks loses its code fence at once; fenced and bare JSON read alike", () => {
    const blanks = " ".repeat(MB);
    expect(millis(() => withoutFence(`{"a":1}${blanks}x`))).toBeLessThan(200);
    expect(withoutFence('```json\n{"a":1}\n```')).toBe('\n{"a":1}\n');
    expect(JSON.parse(withoutFence('```\n{"a":2}```'))).toEqual({ a: 2 });
    expect(JSON.parse(withoutFence(`  {"a":3}${blanks}`))).toEqual({ a: 3 });
  });

  it("a 1 MB note of 'patient with' lines, dots or newlines after 'prior therapy' is read in well under a second", () => {
    expect(millis(() => extractJustificationOffline("patient with x\n".repeat(MB / 15), []))).toBeLessThan(1500);
    expect(millis(() => extractJustificationOffline(`prior therapy${"\n".repeat(MB)}`, []))).toBeLessThan(1500);
    expect(millis(() => extractJustificationOffline(`Plan: ${".".repeat(MB)}x`, []))).toBeLessThan(1500);
    expect(millis(() => extractJustificationOffline(`${"4cancer".repeat(MB / 7)}`, []))).toBeLessThan(1500);
    expect(extractJustificationOffline("Patient with HER2+ breast cancer,  stage IIIA. Prior therapy:\n AC-T.", []).priorTherapy?.value).toBe("AC-T");
    expect(extractJustificationOffline("Seen today.\npatient with x\nPatient with metastatic melanoma, stage IV", []).diagnosis?.quote).toBe("Patient with metastatic melanoma, stage");
  });
});
