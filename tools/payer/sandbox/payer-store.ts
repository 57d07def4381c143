/** What the sandbox payers remember, in PostgreSQL: members and accumulators, authorizations, claims. */
import type pg from "pg";

/** A covered person as the payer keeps them: who, when covered, and their accumulators. */
interface CoveredPerson {
  payerId: string;
  /** The member id (a dependent's is the subscriber's). */
  memberId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  gender: string;
  coverageStart: string;
  coverageEnd: string | null;
  deductibleMet: string;
  oopMet: string;
}

export interface MemberRow extends CoveredPerson {
  planId: string;
  familyDeductibleMet: string | null;
  /** How the member's 271 departs from the plain answer (null: plain). */
  eligibilityStyle: "pending-investigation" | "no-status" | "answers-for-today" | null;
}

/** A dependent on a member's policy (no member id of its own). */
export interface DependentRow extends CoveredPerson {
  sequence: number;
  relationship: string;
}

export interface AuthRow {
  authNumber: string;
  payerId: string;
  memberId: string;
  hcpcs: string;
  unitsApproved: number;
  unitsUsed: number;
  start: string;
  end: string;
  diagnosisCodes: string[];
  status: "approved" | "pended" | "denied" | "cancelled";
  decideOn: string | null;
  requestTrace: string | null;
}

type Q = Pick<pg.Pool, "query"> | pg.PoolClient;
const day = (d: Date | string | null): string | null => (d === null ? null : typeof d === "string" ? d.slice(0, 10) : d.toISOString().slice(0, 10));

const memberRow = (r: Record<string, unknown>): MemberRow => ({
  payerId: r.payer_id as string, memberId: r.member_id as string, planId: r.plan_id as string, firstName: r.first_name as string, lastName: r.last_name as string,
  birthDate: day(r.birth_date as Date) as string, gender: r.gender as string, coverageStart: day(r.coverage_start as Date) as string, coverageEnd: day(r.coverage_end as Date | null),
  deductibleMet: String(r.deductible_met), oopMet: String(r.oop_met), familyDeductibleMet: r.family_deductible_met === null ? null : String(r.family_deductible_met),
  eligibilityStyle: (r.eligibility_style ?? null) as MemberRow["eligibilityStyle"],
});

export async function findMember(db: Q, payerId: string, memberId: string): Promise<MemberRow | null> {
  const { rows } = await db.query("SELECT * FROM payer_members WHERE payer_id = $1 AND member_id = $2", [payerId, memberId]);
  const r = rows[0] as Record<string, unknown> | undefined;
  return r === undefined ? null : memberRow(r);
}

/** Several members of one payer in one statement (none for an empty list), by member id; unknown ids are absent. */
export async function findMembers(db: Q, payerId: string, memberIds: readonly string[]): Promise<Map<string, MemberRow>> {
  const ids = [...new Set(memberIds)];
  if (ids.length === 0) return new Map();
  const { rows } = await db.query("SELECT * FROM payer_members WHERE payer_id = $1 AND member_id = ANY($2::text[])", [payerId, ids]);
  return new Map(rows.map((r: Record<string, unknown>) => [r.member_id as string, memberRow(r)]));
}

const dependentRow = (r: Record<string, unknown>): DependentRow => ({
  payerId: r.payer_id as string, memberId: r.member_id as string, sequence: r.sequence as number, relationship: r.relationship as string,
  firstName: r.first_name as string, lastName: r.last_name as string, birthDate: day(r.birth_date as Date) as string, gender: r.gender as string,
  coverageStart: day(r.coverage_start as Date) as string, coverageEnd: day(r.coverage_end as Date | null), deductibleMet: String(r.deductible_met), oopMet: String(r.oop_met),
});

/** The dependents on several members' policies of one payer, in one statement, by member id (members without any are absent). */
export async function findDependents(db: Q, payerId: string, memberIds: readonly string[]): Promise<Map<string, DependentRow[]>> {
  const ids = [...new Set(memberIds)];
  const out = new Map<string, DependentRow[]>();
  if (ids.length === 0) return out;
  const { rows } = await db.query("SELECT * FROM payer_dependents WHERE payer_id = $1 AND member_id = ANY($2::text[]) ORDER BY member_id, sequence", [payerId, ids]);
  for (const r of rows as Record<string, unknown>[]) {
    const d = dependentRow(r);
    out.set(d.memberId, [...(out.get(d.memberId) ?? []), d]);
  }
  return out;
}

/** The dependent on a member's policy with this name and birth date (case-insensitive names), or null. */
export async function findDependent(db: Q, payerId: string, memberId: string, who: { firstName: string | null; lastName: string | null; birthDate: string | null }): Promise<DependentRow | null> {
  if (who.firstName === null || who.birthDate === null) return null;
  const list = (await findDependents(db, payerId, [memberId])).get(memberId) ?? [];
  const same = (a: string | null, b: string) => (a ?? "").trim().toUpperCase() === b.trim().toUpperCase();
  return list.find((d) => same(who.firstName, d.firstName) && (who.lastName === null || same(who.lastName, d.lastName)) && d.birthDate === who.birthDate) ?? null;
}

/** Moves a dependent's own accumulators; the family deductible on the subscriber's row moves with them. */
export async function moveDependentAccumulators(db: Q, payerId: string, memberId: string, sequence: number, deductible: string, outOfPocket: string): Promise<void> {
  await db.query(
    "UPDATE payer_dependents SET deductible_met = deductible_met + $4::numeric, oop_met = oop_met + $5::numeric WHERE payer_id = $1 AND member_id = $2 AND sequence = $3",
    [payerId, memberId, sequence, deductible, outOfPocket],
  );
  await db.query(
    "UPDATE payer_members SET family_deductible_met = family_deductible_met + $3::numeric WHERE payer_id = $1 AND member_id = $2 AND family_deductible_met IS NOT NULL",
    [payerId, memberId, deductible],
  );
}

export async function authorizationsFor(db: Q, payerId: string, memberId: string, hcpcs?: string): Promise<AuthRow[]> {
  const { rows } = await db.query(
    "SELECT * FROM payer_authorizations WHERE payer_id = $1 AND member_id = $2 AND ($3::text IS NULL OR hcpcs = $3) ORDER BY start_date, auth_number",
    [payerId, memberId, hcpcs ?? null],
  );
  return rows.map((r: Record<string, unknown>) => ({
    authNumber: r.auth_number as string, payerId: r.payer_id as string, memberId: r.member_id as string, hcpcs: r.hcpcs as string,
    unitsApproved: r.units_approved as number, unitsUsed: r.units_used as number, start: day(r.start_date as Date) as string, end: day(r.end_date as Date) as string,
    diagnosisCodes: r.diagnosis_codes as string[], status: r.status as AuthRow["status"], decideOn: day(r.decide_on as Date | null), requestTrace: r.request_trace as string | null,
  }));
}

export async function saveAuthorization(db: Q, a: AuthRow): Promise<void> {
  await db.query(
    `INSERT INTO payer_authorizations (auth_number, payer_id, member_id, hcpcs, units_approved, units_used, start_date, end_date, diagnosis_codes, status, decide_on, request_trace)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (auth_number) DO UPDATE SET units_approved = $5, units_used = $6, start_date = $7, end_date = $8, status = $10, decide_on = $11`,
    [a.authNumber, a.payerId, a.memberId, a.hcpcs, a.unitsApproved, a.unitsUsed, a.start, a.end, a.diagnosisCodes, a.status, a.decideOn, a.requestTrace],
  );
}

export async function useAuthorizationUnits(db: Q, authNumber: string, units: number): Promise<void> {
  await db.query("UPDATE payer_authorizations SET units_used = units_used + $2 WHERE auth_number = $1", [authNumber, units]);
}

export async function moveAccumulators(db: Q, payerId: string, memberId: string, deductible: string, outOfPocket: string): Promise<void> {
  await db.query(
    `UPDATE payer_members SET deductible_met = deductible_met + $3::numeric, oop_met = oop_met + $4::numeric,
       family_deductible_met = CASE WHEN family_deductible_met IS NULL THEN NULL ELSE family_deductible_met + $3::numeric END
     WHERE payer_id = $1 AND member_id = $2`,
    [payerId, memberId, deductible, outOfPocket],
  );
}

/** Line keys of claims already adjudicated for a member and date (for duplicate detection). */
export async function previousLineKeys(db: Q, payerId: string, memberId: string, serviceDate: string): Promise<Set<string>> {
  const { rows } = await db.query("SELECT line_keys FROM payer_claims WHERE payer_id = $1 AND member_id = $2 AND service_date = $3 AND status <> '4'", [payerId, memberId, serviceDate]);
  return new Set(rows.flatMap((r: { line_keys: string[] }) => r.line_keys));
}

export async function recordClaim(db: Q, c: { payerId: string; claimId: string; payerClaimId: string; memberId: string; serviceDate: string; lineKeys: string[]; status: string; charge: string; paid: string; patientResp: string }): Promise<void> {
  await db.query(
    `INSERT INTO payer_claims (payer_id, claim_id, payer_claim_id, member_id, service_date, line_keys, status, charge, paid, patient_resp)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [c.payerId, c.claimId, c.payerClaimId, c.memberId, c.serviceDate, c.lineKeys, c.status, c.charge, c.paid, c.patientResp],
  );
}
