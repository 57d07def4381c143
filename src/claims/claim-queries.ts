/** Reading claims for the API and console: a filtered page of the worklist, and one claim in full. */
import type pg from "pg";
import { NotFoundError } from "../../tools/errors.js";
import { ClaimStatus, claimHistory, claimRow, readClaim, type ClaimEvent, type StoredClaim } from "./claim-store.js";
import { claimSubmissions, type StoredSubmission } from "./claim-submission.js";

export interface ClaimQuery {
  status?: ClaimStatus;
  /** Payer id, exact. */
  payerId?: string;
  /** Dates of service, inclusive (YYYY-MM-DD). */
  from?: string;
  to?: string;
}

function where(q: ClaimQuery): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    parts.push(sql.replace("?", `$${params.length}`));
  };
  if (q.status !== undefined) add("status = ?", q.status);
  if (q.payerId !== undefined) add("payer_id = ?", q.payerId);
  if (q.from !== undefined) add("date_of_service >= ?::date", q.from);
  if (q.to !== undefined) add("date_of_service <= ?::date", q.to);
  return { sql: parts.length === 0 ? "" : `WHERE ${parts.join(" AND ")}`, params };
}

/** A page of claims, latest date of service first (then by id, so pages are stable). */
export async function listClaims(pool: pg.Pool, q: ClaimQuery & { limit: number; offset: number }): Promise<StoredClaim[]> {
  const w = where(q);
  const { rows } = await pool.query(
    `SELECT * FROM claims ${w.sql} ORDER BY date_of_service DESC, id LIMIT $${w.params.length + 1} OFFSET $${w.params.length + 2}`,
    [...w.params, q.limit, q.offset],
  );
  return rows.map(claimRow);
}

/** How many claims match the filters, all pages. */
export async function countClaims(pool: pg.Pool, q: ClaimQuery): Promise<number> {
  const w = where(q);
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM claims ${w.sql}`, w.params);
  return rows[0].n as number;
}

/** One claim with its history and submissions (the 837 sent and the acknowledgments received). */
export async function claimDetail(pool: pg.Pool, claimId: string): Promise<{ claim: StoredClaim; history: ClaimEvent[]; submissions: StoredSubmission[] }> {
  const claim = await readClaim(pool, claimId);
  if (claim === null) throw new NotFoundError(`No claim ${claimId}`);
  const [history, submissions] = await Promise.all([claimHistory(pool, claimId), claimSubmissions(pool, claimId)]);
  return { claim, history, submissions };
}

/**
 * How many claims are in each status under the other filters (the console worklist's tabs), in
 * one grouped count; a status with none is 0.
 */
export async function countClaimsByStatus(pool: pg.Pool, q: Omit<ClaimQuery, "status">): Promise<Record<ClaimStatus, number>> {
  const w = where({ ...q, status: undefined });
  const { rows } = await pool.query<{ status: ClaimStatus; n: number }>(`SELECT status, count(*)::int AS n FROM claims ${w.sql} GROUP BY status`, w.params);
  const counts = Object.fromEntries(ClaimStatus.options.map((s) => [s, 0])) as Record<ClaimStatus, number>;
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/** The payers that have claims, with their names and how many claims each (the worklist's payer choices). */
export async function claimPayers(pool: pg.Pool): Promise<{ id: string; name: string; count: number }[]> {
  const { rows } = await pool.query<{ id: string; name: string; count: number }>(
    "SELECT payer_id AS id, max(payer_name) AS name, count(*)::int AS count FROM claims GROUP BY payer_id ORDER BY max(payer_name), payer_id",
  );
  return rows;
}
