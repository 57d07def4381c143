/**
 * Claims for the console's tests, written through the claim store as the pre-bill agent writes
 * them (capture, scrub with a finding in the scrubber's shape and a correction, submission to the
 * sandbox payer, which answers with a real 999 and 277CA).
 */
import { claimIdFor } from "../../src/claims/claim-ids.js";
import { recordCapturedClaim, recordScrub } from "../../src/claims/claim-store.js";
import { submitClaim } from "../../src/claims/claim-submission.js";
import type { Database } from "../../src/db/database.js";
import type { ClaimInput } from "../../tools/claim/claim.js";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { loadPayerConfig } from "../../tools/payer/sandbox/payer-config.js";
import { SandboxClearinghouse } from "../../tools/payer/sandbox/sandbox-clearinghouse.js";
import { SandboxPayer } from "../../tools/payer/sandbox/sandbox-payer.js";

export const COM = { name: "Sandbox Commercial Health", id: "SBCOM1" };
export const MA = { name: "Sandbox Medicare Advantage", id: "SBMA1" };
/** A billing provider whose name needs escaping in HTML (the X12 extended character set allows & < >). */
export const TRICKY_PROVIDER = "Smith & Jones <Infusion>";

const provider = (name = "Sandbox Infusion Center", npi = "1234567893") => ({ name, npi, taxId: "123456789", address: { line1: "1 Infusion Way", line2: null, city: "Springfield", state: "IL", zip: "62701" } });

const line = (code: string, charge: string, units: number, serviceDate: string, extra: Record<string, unknown> = {}) => ({
  procedure: { code, modifiers: [] as string[] }, charge, units, serviceDate, diagnosisPointers: [1], ...extra,
});

/** A one-line 837P claim (96413) for a payer and day. */
export function simpleClaim(payer: { name: string; id: string }, serviceDate: string, options: { npi?: string; providerName?: string } = {}): ClaimInput {
  return {
    form: "837P", claimId: "X", totalCharge: "300.00", placeOfService: "11", billingProvider: provider(options.providerName, options.npi),
    subscriber: { memberId: "WAPI000001", lastName: "HOLDER", firstName: "ROBIN", birthDate: "1956-07-11", gender: "M", filingIndicator: "CI" },
    payer, diagnoses: ["C3490"], lines: [line("96413", "300.00", 1, serviceDate, { lineControlNumber: "chg-1" })],
  };
}

/** The drug claim the scrubber corrects: J9271 20 units → 10 with JZ, NDC quantity 4 → 2. */
export function drugClaim(serviceDate: string, corrected: boolean): ClaimInput {
  const base = simpleClaim(COM, serviceDate);
  const drug = (units: number, charge: string, modifiers: string[]) => ({
    ...line("J9271", charge, units, serviceDate, { lineControlNumber: "chg-2", drug: { ndc11: "00006302602", quantity: units / 5, unit: "UN" } }),
    procedure: { code: "J9271", modifiers },
  });
  return corrected
    ? { ...base, totalCharge: "1300.00", lines: [...base.lines, drug(10, "1000.00", ["JZ"])] }
    : { ...base, totalCharge: "2300.00", lines: [...base.lines, drug(20, "2000.00", [])] };
}

/** The finding of the drug claim, as the scrubber writes it (tools/claim/scrub/finding.ts). */
export const DRUG_UNITS_FINDING = {
  code: "DRUG_UNITS" as const, lineId: "chg-2", administrationId: "mar-1",
  before: { code: "J9271", modifiers: [], units: 20, charge: "2000.00", revenueCode: null, ndc: "00006302602", ndcQuantity: 4, ndcUnit: "UN", diagnosisCodes: ["C3490"] },
  after: { code: "J9271", modifiers: ["JZ"], units: 10, charge: "1000.00", revenueCode: null, ndc: "00006302602", ndcQuantity: 2, ndcUnit: "UN", diagnosisCodes: ["C3490"] },
  confidence: 1,
  rationale: "Administered 200 mg; J9271 is billed per 1 mg <b>not</b> per 10 mg",
  rule: { source: "CMS ASP 2026Q1 row J9271", detail: "J9271 Injection, pembrolizumab, 1 mg" },
  autoCorrectable: true,
};

/**
 * The claims of the console tests: `drug-1` (2026-03-02, scrubbed, corrected, submitted and
 * accepted), `dep-1` (2026-03-01, captured), `ma-1` (2026-03-03, Medicare Advantage, captured),
 * `bad-npi` (2026-03-04, a provider NPI failing its check digit and a name to escape: rejected),
 * and `extra` more captured commercial claims, one a day from 2026-02-28 backwards.
 */
export async function seedConsoleClaims(db: Database, extra = 0): Promise<Record<string, string>> {
  const pool = db.pool;
  const now = () => new Date("2026-03-05T10:00:00Z");
  await pool.query(`INSERT INTO payer_members (payer_id, member_id, plan_id, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met)
    VALUES ('SBCOM1', 'WAPI000001', 'COM-PPO', 'ROBIN', 'HOLDER', '1956-07-11', 'M', '2026-01-01', NULL, '0', '0') ON CONFLICT DO NOTHING`);
  const ch = new SandboxClearinghouse(new SandboxPayer({ pool, config: loadPayerConfig(), tables: loadCodingTables(), now }));
  const capture = (visitId: string, c: ClaimInput) => recordCapturedClaim(pool, { visitId, patientId: `sbx-${visitId}`, claim: c, actor: "agent:pre-bill", now });
  const submit = (id: string) => submitClaim(pool, id, ch, {
    parties: { submitter: { name: "S", id: "SBXSUB", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "SBXCH" } },
    senderId: "SBXSUB", receiverId: "SBXCH", actor: "agent:pre-bill", now,
  });
  await capture("dep-1", simpleClaim(COM, "2026-03-01"));
  await capture("drug-1", drugClaim("2026-03-02", false));
  await capture("ma-1", simpleClaim(MA, "2026-03-03"));
  await capture("bad-npi", simpleClaim(COM, "2026-03-04", { npi: "1234567890", providerName: TRICKY_PROVIDER }));
  await recordScrub(pool, claimIdFor("drug-1"), { findings: [DRUG_UNITS_FINDING], corrected: drugClaim("2026-03-02", true), actor: "agent:pre-bill", now });
  await submit(claimIdFor("drug-1"));
  await submit(claimIdFor("bad-npi"));
  for (let i = 0; i < extra; i += 1) {
    const day = new Date(Date.UTC(2026, 2, 1) - (i + 1) * 86_400_000).toISOString().slice(0, 10);
    await capture(`extra-${i}`, simpleClaim(COM, day));
  }
  return Object.fromEntries(["dep-1", "drug-1", "ma-1", "bad-npi"].map((v) => [v, claimIdFor(v)]));
}
