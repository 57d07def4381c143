/**
 * Loads a generated clinic into the database: the EHR's FHIR resources, the payer's members (and
 * their dependents) and authorizations, the clinic's copy of those authorizations in its ledger (on file, with the units
 * the payer counts as used), and the truth about every appointment. One transaction: a failed
 * seed leaves nothing behind. Seedings of one database take turns under an advisory lock, and one
 * made only if the database has no clinic yet (instances starting together) finds the clinic the
 * first one loaded, by its row in `sandbox_seeds`, and leaves it and all written since alone.
 */
import type pg from "pg";
import { searchFields } from "../ehr/sandbox/search-fields.js";
import type { SandboxClinic } from "./world.js";

const CHUNK = 500;
/** Advisory-lock key of sandbox seeding ("sbx seed" as two int4s; the migrations hold another). */
const SEED_LOCK = [0x73627820, 0x73656564] as const;

/** Whether a sandbox clinic is loaded. */
export async function sandboxSeeded(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM sandbox_seeds");
  return Number(rows[0]?.n ?? 0) > 0;
}

/**
 * Replaces any sandbox data with `clinic`; with `ifEmpty`, loads it only when no clinic is loaded.
 * Returns whether it loaded the clinic.
 */
export async function seedSandbox(
  pool: pg.Pool, clinic: SandboxClinic, options: { id: string; meta: Record<string, unknown>; ifEmpty?: boolean }, onProgress?: (done: number, total: number) => void,
): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // A transaction-level lock (released at commit or rollback; it also orders the sessions of the
    // embedded database, which share one backend): the check below sees what the seeding before committed.
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [...SEED_LOCK]);
    if (options.ifEmpty === true && (await client.query("SELECT 1 FROM sandbox_seeds LIMIT 1")).rows.length > 0) {
      await client.query("COMMIT");
      return false;
    }
    const tables = ["fhir_resources", "payer_dependents", "payer_members", "payer_authorizations", "payer_claims", "sandbox_seeds", "authorization_usage", "authorization_requests", "authorizations"];
    for (const table of tables) await client.query(`DELETE FROM ${table}`);
    const resources = clinic.bundle.entry.map((e) => e.resource);
    for (let i = 0; i < resources.length; i += CHUNK) {
      const chunk = resources.slice(i, i + CHUNK);
      const fields = chunk.map((r) => searchFields(r));
      await client.query(
        `INSERT INTO fhir_resources (resource_type, id, resource, patient_id, encounter_id, date_start, status, service_type)
         SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[])`,
        [chunk.map((r) => String(r.resourceType)), chunk.map((r) => String(r.id)), chunk.map((r) => JSON.stringify(r)),
          fields.map((f) => f.patientId), fields.map((f) => f.encounterId), fields.map((f) => f.dateStart), fields.map((f) => f.status), fields.map((f) => f.serviceType)],
      );
      onProgress?.(Math.min(i + CHUNK, resources.length), resources.length);
    }
    const m = clinic.members;
    await client.query(
      `INSERT INTO payer_members (payer_id, member_id, plan_id, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met, family_deductible_met, eligibility_style)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[], $8::date[], $9::date[], $10::numeric[], $11::numeric[], $12::numeric[], $13::text[])`,
      [m.map((x) => x.payerId), m.map((x) => x.memberId), m.map((x) => x.planId), m.map((x) => x.firstName), m.map((x) => x.lastName), m.map((x) => x.birthDate),
        m.map((x) => x.gender), m.map((x) => x.coverageStart), m.map((x) => x.coverageEnd), m.map((x) => x.deductibleMet), m.map((x) => x.oopMet), m.map((x) => x.familyDeductibleMet),
        m.map((x) => x.eligibilityStyle ?? null)],
    );
    const d = clinic.dependents ?? [];
    if (d.length > 0) {
      await client.query(
        `INSERT INTO payer_dependents (payer_id, member_id, sequence, relationship, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[], $9::date[], $10::date[], $11::numeric[], $12::numeric[])`,
        [d.map((x) => x.payerId), d.map((x) => x.memberId), d.map((x) => x.sequence), d.map((x) => x.relationship), d.map((x) => x.firstName), d.map((x) => x.lastName),
          d.map((x) => x.birthDate), d.map((x) => x.gender), d.map((x) => x.coverageStart), d.map((x) => x.coverageEnd), d.map((x) => x.deductibleMet), d.map((x) => x.oopMet)],
      );
    }
    const patientOf = patientsByMember(resources);
    for (const a of clinic.authorizations) {
      await client.query(
        `INSERT INTO payer_authorizations (auth_number, payer_id, member_id, hcpcs, units_approved, units_used, start_date, end_date, diagnosis_codes, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [a.authNumber, a.payerId, a.memberId, a.hcpcs, a.unitsApproved, a.unitsUsed, a.start, a.end, a.diagnosisCodes, a.status],
      );
      const patientId = a.patientId ?? patientOf.get(`${a.payerId}|${a.memberId}`);
      if (patientId === undefined) continue;
      await client.query(
        `INSERT INTO authorizations (auth_number, payer_id, patient_id, member_id, hcpcs, status, units_approved, units_used_prior, start_date, end_date, diagnosis_codes, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'on-file')`,
        [a.authNumber, a.payerId, patientId, a.memberId, a.hcpcs, a.status, a.unitsApproved, a.unitsUsed, a.start, a.end, a.diagnosisCodes],
      );
    }
    await client.query("INSERT INTO sandbox_seeds (id, seed, as_of, options, truth) VALUES ($1, $2, $3, $4, $5)", [
      options.id, clinic.seed, clinic.asOf, JSON.stringify({ ...options.meta, range: clinic.range }), JSON.stringify(clinic.truth),
    ]);
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** `payerId|memberId` → patient id, from the bundle's Coverage resources. */
function patientsByMember(resources: Record<string, unknown>[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources) {
    if (r.resourceType !== "Coverage") continue;
    const c = r as { subscriberId?: string; beneficiary?: { reference?: string }; payor?: { identifier?: { value?: string } }[] };
    const patient = c.beneficiary?.reference?.replace(/^Patient\//, "");
    for (const p of c.payor ?? []) {
      if (patient !== undefined && c.subscriberId !== undefined && p.identifier?.value !== undefined) out.set(`${p.identifier.value}|${c.subscriberId}`, patient);
    }
  }
  return out;
}
