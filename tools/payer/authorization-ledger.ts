/**
 * The clinic's authorization ledger (`authorizations`, `authorization_usage`) and the 278
 * requests it sent (`authorization_requests`): typed reads and idempotent writes. Dates are ISO
 * strings (YYYY-MM-DD) whatever the driver's date parsing.
 */
import type pg from "pg";

type Db = Pick<pg.Pool, "query">;

/** An authorization in the ledger. */
export interface LedgerAuthorization {
  authNumber: string;
  payerId: string;
  patientId: string;
  memberId: string;
  hcpcs: string;
  status: "approved" | "pended" | "denied" | "cancelled";
  unitsApproved: number;
  /** Units used before the ledger started tracking (imported history). */
  unitsUsedPrior: number;
  start: string;
  end: string;
  diagnosisCodes: string[];
  source: "on-file" | "278" | "staff";
}

/** Units one visit draws from an authorization. */
export interface AuthorizationUsage {
  payerId: string;
  authNumber: string;
  appointmentId: string;
  dateOfService: string;
  units: number;
}

/** Status of a 278 request the clinic sent. */
export type AuthRequestStatus = "submitted" | "pended" | "approved" | "modified" | "denied" | "rejected";

/** A 278 request the clinic sent, with the payer's latest answer. */
export interface AuthorizationRequestRecord {
  id: string;
  idempotencyKey: string;
  appointmentId: string;
  patientId: string;
  payerId: string;
  memberId: string;
  hcpcs: string;
  units: number;
  trace: string;
  status: AuthRequestStatus;
  authNumber: string | null;
  decision: Record<string, unknown> | null;
  x12Request: string;
  x12Response: string | null;
  pasBundle: Record<string, unknown>;
  nextCheckOn: string | null;
  createdAt: string;
}

const AUTH_COLUMNS = `auth_number AS "authNumber", payer_id AS "payerId", patient_id AS "patientId", member_id AS "memberId", hcpcs, status,
  units_approved AS "unitsApproved", units_used_prior AS "unitsUsedPrior", to_char(start_date, 'YYYY-MM-DD') AS start,
  to_char(end_date, 'YYYY-MM-DD') AS "end", diagnosis_codes AS "diagnosisCodes", source`;

const REQUEST_COLUMNS = `id, idempotency_key AS "idempotencyKey", appointment_id AS "appointmentId", patient_id AS "patientId", payer_id AS "payerId",
  member_id AS "memberId", hcpcs, units, trace, status, auth_number AS "authNumber", decision, x12_request AS "x12Request",
  x12_response AS "x12Response", pas_bundle AS "pasBundle", to_char(next_check_on, 'YYYY-MM-DD') AS "nextCheckOn",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt"`;

/** Authorizations on file for a patient and drug (any status), newest end date first. */
export async function authorizationsFor(db: Db, q: { patientId: string; hcpcs: string; payerId?: string | null }): Promise<LedgerAuthorization[]> {
  const { rows } = await db.query<LedgerAuthorization>(
    `SELECT ${AUTH_COLUMNS} FROM authorizations WHERE patient_id = $1 AND hcpcs = $2 AND ($3::text IS NULL OR payer_id = $3)
     ORDER BY end_date DESC, auth_number`,
    [q.patientId, q.hcpcs, q.payerId ?? null],
  );
  return rows;
}

/** The visits that drew on an authorization, by date of service. */
export async function usageFor(db: Db, payerId: string, authNumber: string): Promise<AuthorizationUsage[]> {
  const { rows } = await db.query<AuthorizationUsage>(
    `SELECT payer_id AS "payerId", auth_number AS "authNumber", appointment_id AS "appointmentId",
       to_char(date_of_service, 'YYYY-MM-DD') AS "dateOfService", units
     FROM authorization_usage WHERE payer_id = $1 AND auth_number = $2 ORDER BY date_of_service, appointment_id`,
    [payerId, authNumber],
  );
  return rows;
}

/** Records (or corrects) the units one visit draws; one row per visit, so re-runs are idempotent. */
export async function recordUsage(db: Db, u: AuthorizationUsage, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO authorization_usage (payer_id, auth_number, appointment_id, date_of_service, units, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (payer_id, auth_number, appointment_id) DO UPDATE SET date_of_service = EXCLUDED.date_of_service,
       units = EXCLUDED.units, recorded_at = EXCLUDED.recorded_at`,
    [u.payerId, u.authNumber, u.appointmentId, u.dateOfService, u.units, now],
  );
}

/** Adds an authorization to the ledger, or updates the one with the same payer and number. */
export async function upsertAuthorization(db: Db, a: LedgerAuthorization, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO authorizations (auth_number, payer_id, patient_id, member_id, hcpcs, status, units_approved, units_used_prior,
       start_date, end_date, diagnosis_codes, source, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
     ON CONFLICT (payer_id, auth_number) DO UPDATE SET status = EXCLUDED.status, units_approved = EXCLUDED.units_approved,
       units_used_prior = EXCLUDED.units_used_prior, start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
       diagnosis_codes = EXCLUDED.diagnosis_codes, updated_at = EXCLUDED.updated_at`,
    [a.authNumber, a.payerId, a.patientId, a.memberId, a.hcpcs, a.status, a.unitsApproved, a.unitsUsedPrior, a.start, a.end,
      a.diagnosisCodes, a.source, now],
  );
}

/**
 * Stores a request about to be sent. The idempotency key is unique: when a row exists already
 * (a retried submission) it is returned unchanged, so the same 278 is re-sent, never a new one.
 */
export async function insertAuthorizationRequest(
  db: Db, r: Omit<AuthorizationRequestRecord, "status" | "authNumber" | "decision" | "x12Response" | "nextCheckOn" | "createdAt">, now: Date,
): Promise<AuthorizationRequestRecord> {
  await db.query(
    `INSERT INTO authorization_requests (id, idempotency_key, appointment_id, patient_id, payer_id, member_id, hcpcs, units, trace, status,
       x12_request, pas_bundle, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', $10, $11, $12, $12) ON CONFLICT (idempotency_key) DO NOTHING`,
    [r.id, r.idempotencyKey, r.appointmentId, r.patientId, r.payerId, r.memberId, r.hcpcs, r.units, r.trace, r.x12Request, JSON.stringify(r.pasBundle), now],
  );
  const stored = await requestByKey(db, r.idempotencyKey);
  if (stored === null) throw new Error(`authorization request ${r.idempotencyKey} vanished after insert`);
  return stored;
}

/** The request sent under an idempotency key, or null. */
export async function requestByKey(db: Db, idempotencyKey: string): Promise<AuthorizationRequestRecord | null> {
  const { rows } = await db.query<AuthorizationRequestRecord>(`SELECT ${REQUEST_COLUMNS} FROM authorization_requests WHERE idempotency_key = $1`, [idempotencyKey]);
  return rows[0] ?? null;
}

/** Records the payer's latest answer to a request. */
export async function updateAuthorizationRequest(
  db: Db, id: string, u: { status: AuthRequestStatus; authNumber: string | null; decision: Record<string, unknown> | null; x12Response: string | null; nextCheckOn: string | null }, now: Date,
): Promise<void> {
  await db.query(
    `UPDATE authorization_requests SET status = $2, auth_number = $3, decision = $4, x12_response = $5, next_check_on = $6, updated_at = $7 WHERE id = $1`,
    [id, u.status, u.authNumber, u.decision === null ? null : JSON.stringify(u.decision), u.x12Response, u.nextCheckOn, now],
  );
}

/** Requests sent for a patient and drug, newest first. */
export async function requestsFor(db: Db, patientId: string, hcpcs: string): Promise<AuthorizationRequestRecord[]> {
  const { rows } = await db.query<AuthorizationRequestRecord>(
    `SELECT ${REQUEST_COLUMNS} FROM authorization_requests WHERE patient_id = $1 AND hcpcs = $2 ORDER BY created_at DESC, id`, [patientId, hcpcs]);
  return rows;
}

/** Pended requests whose next check is due on `today` (or unscheduled); `patientId` narrows to one patient. */
export async function pendedRequestsDue(db: Db, today: string, patientId?: string): Promise<AuthorizationRequestRecord[]> {
  const { rows } = await db.query<AuthorizationRequestRecord>(
    `SELECT ${REQUEST_COLUMNS} FROM authorization_requests
     WHERE status = 'pended' AND (next_check_on IS NULL OR next_check_on <= $1) AND ($2::text IS NULL OR patient_id = $2)
     ORDER BY next_check_on NULLS FIRST, created_at`,
    [today, patientId ?? null],
  );
  return rows;
}

/** A payer's decisions on a drug so far: ledger authorizations and the clinic's own requests. */
export async function authorizationHistory(db: Db, payerId: string, hcpcs: string): Promise<{ approved: number; denied: number }> {
  const { rows } = await db.query<{ approved: number; denied: number }>(
    `SELECT
       (SELECT count(*) FROM authorizations WHERE payer_id = $1 AND hcpcs = $2 AND source <> '278' AND status = 'approved')::int
         + (SELECT count(*) FROM authorization_requests WHERE payer_id = $1 AND hcpcs = $2 AND status IN ('approved', 'modified'))::int AS approved,
       (SELECT count(*) FROM authorizations WHERE payer_id = $1 AND hcpcs = $2 AND source <> '278' AND status = 'denied')::int
         + (SELECT count(*) FROM authorization_requests WHERE payer_id = $1 AND hcpcs = $2 AND status = 'denied')::int AS denied`,
    [payerId, hcpcs],
  );
  return rows[0] ?? { approved: 0, denied: 0 };
}
