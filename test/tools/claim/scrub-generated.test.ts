import { describe, expect, it } from "vitest";
import { scrubVisit } from "../../../tools/claim/scrub/index.js";
import { FINDING_CODES, VisitRecord } from "../../../tools/claim/visit-record.js";
import { generateVisits } from "../../helpers/visit-generator.js";
import { tables } from "./scrub-helpers.js";

describe("scrubVisit on generated visits", () => {
  const visits = generateVisits(300, 18, tables);

  it("is deterministic, never throws, and its corrected claims always balance and are stable under a second scrub", () => {
    const seen = new Set<string>();
    for (const v of visits) {
      const r = scrubVisit(v, tables);
      expect(JSON.stringify(scrubVisit(v, tables))).toBe(JSON.stringify(r));
      const sum = r.corrected.lines.reduce((t, l) => t + Math.round(Number(l.charge) * 100), 0);
      expect(Math.round(Number(r.corrected.totalCharge) * 100)).toBe(sum);
      // Scrubbing the corrected claim again corrects nothing more.
      const again = VisitRecord.parse({ ...v, charges: r.corrected.lines.map((l, k) => ({
        id: `c${k}`, code: l.procedure.code, modifiers: l.procedure.modifiers, units: l.units, charge: l.charge, revenueCode: l.revenueCode, ndc: l.drug?.ndc11 ?? null,
        ndcQuantity: l.drug?.quantity ?? null, ndcUnit: l.drug?.unit ?? null, diagnosisCodes: l.diagnosisPointers.map((p) => v.diagnoses[p - 1]?.icd10 ?? ""), administrationIds: [], serviceDate: l.serviceDate,
      })) });
      expect(scrubVisit(again, tables).findings.filter((f) => f.autoCorrectable).map((f) => f.code)).toEqual([]);
      for (const f of r.findings) {
        seen.add(f.code);
        expect(FINDING_CODES).toContain(f.code);
        expect(f.confidence).toBeGreaterThan(0);
        expect(f.confidence).toBeLessThanOrEqual(1);
        expect(f.rationale.length).toBeGreaterThan(10);
      }
    }
    // The planted errors are found.
    for (const code of ["DRUG_UNITS", "JZ_MISSING", "NDC_INVALID", "NDC_MISSING", "DUPLICATE_LINE", "ADMIN_CODE", "DX_LINK", "CLAIM_BALANCE"]) expect(seen).toContain(code);
  });

  it("most generated visits without a planted error are clean", () => {
    const clean = visits.filter((v) => scrubVisit(v, tables).findings.length === 0).length;
    expect(clean).toBeGreaterThan(100);
  });
});
