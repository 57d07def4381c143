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

/**
 * The ledger of a batch of patients read at once, for an agent that checks many appointments in
 * one run: each accessor answers exactly what the per-call function of the same name answers for
 * the same arguments (same filters, same order), from memory. `recordUsage` draws units in the
 * snapshot only (the batch writes them with `recordUsages`), so a later visit of the same patient
 * in the batch sees the units an earlier one drew.
 *
 * The snapshot is as of its loading: what the batch writes otherwise (a 278 certified by a
 * follow-up, a new request) is not in it — load it again after such writes.
 */
export interface LedgerSnapshot {
  /** As `authorizationsFor`. */
  authorizations(q: { patientId: string; hcpcs: string; payerId?: string | null }): LedgerAuthorization[];
  /** As `usageFor` (with the units drawn in this snapshot). */
  usage(payerId: string, authNumber: string): AuthorizationUsage[];
  /** As `requestsFor`. */
  requests(patientId: string, hcpcs: string): AuthorizationRequestRecord[];
  /** As `authorizationHistory`, for any payer and drug. */
  history(payerId: string, hcpcs: string): { approved: number; denied: number };
  /** As `pendedRequestsDue(db, today, patientId)` with the snapshot's `today`. */
  pendedDue(patientId: string): AuthorizationRequestRecord[];
  /** As `recordUsage`, in memory only. */
  recordUsage(u: AuthorizationUsage): void;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const key = (...parts: string[]): string => JSON.stringify(parts);

/**
 * Reads the ledger of `patientIds` (authorizations, the units drawn from them, the requests sent
 * and which pended ones are due on `today`) and the payers' decisions on every drug: five
 * statements whatever the number of patients (four once the database's collation is known).
 * Accessors for a patient (or an authorization) outside the batch throw.
 */
export async function loadLedgerSnapshot(db: Db, q: { patientIds: string[]; today: string }): Promise<LedgerSnapshot> {
  if (!ISO_DATE.test(q.today)) throw new RangeError(`today must be an ISO date (YYYY-MM-DD), not ${q.today}`);
  const patientIds = [...new Set(q.patientIds)];
  const [compare, auths, usage, requests, history] = await Promise.all([
    textOrder(db),
    db.query<LedgerAuthorization>(
      // payer_id only orders what the per-call query leaves to chance (one number under two payers, same end date).
      `SELECT ${AUTH_COLUMNS} FROM authorizations WHERE patient_id = ANY($1::text[]) ORDER BY end_date DESC, auth_number, payer_id`,
      [patientIds],
    ),
    db.query<AuthorizationUsage>(
      `SELECT u.payer_id AS "payerId", u.auth_number AS "authNumber", u.appointment_id AS "appointmentId",
         to_char(u.date_of_service, 'YYYY-MM-DD') AS "dateOfService", u.units
       FROM authorization_usage u JOIN authorizations a ON a.payer_id = u.payer_id AND a.auth_number = u.auth_number
       WHERE a.patient_id = ANY($1::text[]) ORDER BY u.date_of_service, u.appointment_id`,
      [patientIds],
    ),
    // In requestsFor's order; dueRank is pendedRequestsDue's order (id orders what it leaves to chance).
    db.query<AuthorizationRequestRecord & { due: boolean; dueRank: number }>(
      `SELECT ${REQUEST_COLUMNS}, (status = 'pended' AND (next_check_on IS NULL OR next_check_on <= $2::date)) AS due,
         (row_number() OVER (ORDER BY next_check_on NULLS FIRST, created_at, id))::int AS "dueRank"
       FROM authorization_requests WHERE patient_id = ANY($1::text[]) ORDER BY created_at DESC, id`,
      [patientIds, q.today],
    ),
    db.query<{ payerId: string; hcpcs: string; approved: number; denied: number }>(
      `SELECT payer_id AS "payerId", hcpcs, sum(approved)::int AS approved, sum(denied)::int AS denied FROM (
         SELECT payer_id, hcpcs, count(*) FILTER (WHERE status = 'approved') AS approved, count(*) FILTER (WHERE status = 'denied') AS denied
           FROM authorizations WHERE source <> '278' AND status IN ('approved', 'denied') GROUP BY payer_id, hcpcs
         UNION ALL
         SELECT payer_id, hcpcs, count(*) FILTER (WHERE status IN ('approved', 'modified')), count(*) FILTER (WHERE status = 'denied')
           FROM authorization_requests WHERE status IN ('approved', 'modified', 'denied') GROUP BY payer_id, hcpcs
       ) h GROUP BY payer_id, hcpcs`,
    ),
  ]);

  const loaded = new Set(patientIds);
  const needPatient = (patientId: string): void => {
    if (!loaded.has(patientId)) throw new Error(`Patient ${patientId} is not in this ledger snapshot`);
  };
  const authsByDrug = groupBy(auths.rows, (a) => key(a.patientId, a.hcpcs));
  const usageByAuth = new Map<string, AuthorizationUsage[]>(auths.rows.map((a) => [key(a.payerId, a.authNumber), []]));
  for (const u of usage.rows) usageByAuth.get(key(u.payerId, u.authNumber))?.push(u);
  const needAuth = (payerId: string, authNumber: string): AuthorizationUsage[] => {
    const rows = usageByAuth.get(key(payerId, authNumber));
    if (rows === undefined) throw new Error(`Authorization ${payerId}/${authNumber} is not in this ledger snapshot`);
    return rows;
  };
  const records = requests.rows.map(({ due, dueRank, ...r }) => ({ record: r as AuthorizationRequestRecord, due, dueRank }));
  const requestsByDrug = groupBy(records, (r) => key(r.record.patientId, r.record.hcpcs));
  const dueByPatient = groupBy(records.filter((r) => r.due).sort((a, b) => a.dueRank - b.dueRank), (r) => r.record.patientId);
  const historyByDrug = new Map(history.rows.map((h) => [key(h.payerId, h.hcpcs), { approved: h.approved, denied: h.denied }]));

  return {
    authorizations({ patientId, hcpcs, payerId }) {
      needPatient(patientId);
      const rows = authsByDrug.get(key(patientId, hcpcs)) ?? [];
      return payerId == null ? [...rows] : rows.filter((a) => a.payerId === payerId);
    },
    usage(payerId, authNumber) {
      return [...needAuth(payerId, authNumber)];
    },
    requests(patientId, hcpcs) {
      needPatient(patientId);
      return (requestsByDrug.get(key(patientId, hcpcs)) ?? []).map((r) => r.record);
    },
    history(payerId, hcpcs) {
      return { ...(historyByDrug.get(key(payerId, hcpcs)) ?? { approved: 0, denied: 0 }) };
    },
    pendedDue(patientId) {
      needPatient(patientId);
      return (dueByPatient.get(patientId) ?? []).map((r) => r.record);
    },
    recordUsage(u) {
      // What the table's constraints would refuse (the foreign key is the needAuth check).
      if (!Number.isInteger(u.units) || u.units < 0) throw new RangeError(`Units drawn must be a whole number ≥ 0, not ${u.units}`);
      if (!ISO_DATE.test(u.dateOfService)) throw new RangeError(`dateOfService must be an ISO date (YYYY-MM-DD), not ${u.dateOfService}`);
      const rows = needAuth(u.payerId, u.authNumber);
      const row: AuthorizationUsage = { payerId: u.payerId, authNumber: u.authNumber, appointmentId: u.appointmentId, dateOfService: u.dateOfService, units: u.units };
      const existing = rows.findIndex((r) => r.appointmentId === u.appointmentId);
      if (existing >= 0) rows.splice(existing, 1);
      const at = rows.findIndex((r) => r.dateOfService > row.dateOfService || (r.dateOfService === row.dateOfService && compare(r.appointmentId, row.appointmentId) > 0));
      rows.splice(at < 0 ? rows.length : at, 0, row);
    },
  };
}

/** Records (or corrects) the units of many visits in one statement, as `recordUsage` does each. */
export async function recordUsages(db: Db, usages: AuthorizationUsage[], now: Date): Promise<void> {
  // One statement cannot update a row twice: the last usage of a visit wins, as it would one by one.
  const last = [...new Map(usages.map((u) => [key(u.payerId, u.authNumber, u.appointmentId), u])).values()];
  if (last.length === 0) return;
  await db.query(
    `INSERT INTO authorization_usage (payer_id, auth_number, appointment_id, date_of_service, units, recorded_at)
     SELECT payer_id, auth_number, appointment_id, date_of_service, units, $6
     FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::int[]) AS u (payer_id, auth_number, appointment_id, date_of_service, units)
     ON CONFLICT (payer_id, auth_number, appointment_id) DO UPDATE SET date_of_service = EXCLUDED.date_of_service,
       units = EXCLUDED.units, recorded_at = EXCLUDED.recorded_at`,
    [last.map((u) => u.payerId), last.map((u) => u.authNumber), last.map((u) => u.appointmentId), last.map((u) => u.dateOfService),
      last.map((u) => u.units), now],
  );
}

function groupBy<T>(rows: T[], by: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = by(row);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [row]);
    else group.push(row);
  }
  return groups;
}

/** How the database orders text, per database (pool) object: it does not change. */
const textOrders = new WeakMap<object, Promise<(a: string, b: string) => number>>();

/**
 * The database's text order, so that a visit drawn in a snapshot sits where `usageFor` would put
 * it. C, POSIX, C.UTF-8 and the builtin provider order by code point, exactly; a linguistic
 * collation (libc en_US …, ICU) is approximated with the same locale's Intl.Collator.
 */
function textOrder(db: Db): Promise<(a: string, b: string) => number> {
  let order = textOrders.get(db);
  if (order === undefined) {
    order = db.query<{ d: Record<string, string | null> }>("SELECT to_jsonb(d) AS d FROM pg_database d WHERE datname = current_database()")
      .then(({ rows }) => collationOrder(rows[0]?.d ?? {}));
    textOrders.set(db, order);
    order.catch(() => textOrders.delete(db));
  }
  return order;
}

const byCodePoint = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

function collationOrder(d: Record<string, string | null>): (a: string, b: string) => number {
  const provider = d.datlocprovider ?? "c";
  const libc = d.datcollate ?? "C";
  if (provider === "b" || (provider === "c" && /^(C|POSIX)(\.utf-?8)?$/i.test(libc))) return byCodePoint;
  const locale = (provider === "i" ? (d.datlocale ?? d.daticulocale ?? libc) : libc).replace(/[.@].*$/, "").replace(/_/g, "-");
  let collator: Intl.Collator;
  try {
    collator = new Intl.Collator(locale === "" ? undefined : locale);
  } catch {
    collator = new Intl.Collator();
  }
  // PostgreSQL breaks the ties of a deterministic collation by the bytes.
  return (a, b) => collator.compare(a, b) || byCodePoint(a, b);
}
