/**
 * The sandbox EHR's storage: FHIR R4 resources in PostgreSQL, with the searches the EHR client
 * uses. Clearly a sandbox: it checks shape, not the full FHIR specification.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { searchFields } from "./search-fields.js";

/** Resource types the sandbox stores. */
export const SANDBOX_TYPES = [
  "Patient", "Appointment", "Encounter", "MedicationRequest", "MedicationAdministration", "Coverage", "Condition",
  "DocumentReference", "Organization", "Practitioner", "Task", "CoverageEligibilityResponse", "ChargeItem",
] as const;

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** A FHIR error answer (OperationOutcome) with its HTTP status. */
export class FhirProblem extends Error {
  constructor(readonly status: number, message: string, readonly expression?: string) {
    super(message);
  }
  outcome(): Record<string, unknown> {
    return {
      resourceType: "OperationOutcome",
      issue: [{ severity: "error", code: this.status === 404 ? "not-found" : "invalid", diagnostics: this.message, ...(this.expression === undefined ? {} : { expression: [this.expression] }) }],
    };
  }
}

type Resource = Record<string, unknown> & { resourceType: string; id?: string };
type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

/** Checks the minimum every stored resource needs. */
export function checkResource(value: unknown, expectedType?: string): Resource {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new FhirProblem(400, "Body is not a FHIR resource (JSON object)");
  const r = value as Resource;
  if (typeof r.resourceType !== "string") throw new FhirProblem(400, "resourceType is missing", "resourceType");
  if (!(SANDBOX_TYPES as readonly string[]).includes(r.resourceType)) throw new FhirProblem(400, `The sandbox does not store ${r.resourceType}`, "resourceType");
  if (expectedType !== undefined && r.resourceType !== expectedType) throw new FhirProblem(400, `resourceType ${r.resourceType} does not match ${expectedType}`, "resourceType");
  if (r.id !== undefined && (typeof r.id !== "string" || !ID.test(r.id))) throw new FhirProblem(400, "id must be 1–64 of [A-Za-z0-9-.]", "id");
  if (r.resourceType === "ChargeItem") checkChargeItem(r);
  return r;
}

/** The ChargeItem elements R4 requires (status, code, subject) and the quantity's shape. */
function checkChargeItem(r: Resource): void {
  const statuses = ["planned", "billable", "not-billable", "aborted", "billed", "entered-in-error", "unknown"];
  if (typeof r.status !== "string" || !statuses.includes(r.status)) throw new FhirProblem(400, `ChargeItem.status must be one of ${statuses.join(", ")}`, "ChargeItem.status");
  const code = r.code as { coding?: { code?: unknown }[] } | undefined;
  if (!Array.isArray(code?.coding) || typeof code.coding[0]?.code !== "string") throw new FhirProblem(400, "ChargeItem.code needs a coding with a code", "ChargeItem.code");
  if (typeof (r.subject as { reference?: unknown } | undefined)?.reference !== "string") throw new FhirProblem(400, "ChargeItem.subject is required", "ChargeItem.subject");
  const quantity = r.quantity as { value?: unknown } | undefined;
  if (quantity !== undefined && typeof quantity.value !== "number") throw new FhirProblem(400, "ChargeItem.quantity.value must be a number", "ChargeItem.quantity");
}

/** Creates or replaces a resource; returns it with its id and meta. */
export async function putResource(db: Queryable, value: unknown, now: Date = new Date()): Promise<Resource> {
  const r = checkResource(value);
  const id = r.id ?? randomUUID();
  const f = searchFields({ ...r, id });
  const { rows } = await db.query<{ version_id: number }>(
    `INSERT INTO fhir_resources (resource_type, id, version_id, last_updated, resource, patient_id, encounter_id, date_start, status, service_type)
     VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (resource_type, id) DO UPDATE SET version_id = fhir_resources.version_id + 1, last_updated = $3, resource = $4,
       patient_id = $5, encounter_id = $6, date_start = $7, status = $8, service_type = $9
     RETURNING version_id`,
    [r.resourceType, id, now, JSON.stringify({ ...r, id }), f.patientId, f.encounterId, f.dateStart, f.status, f.serviceType],
  );
  return { ...r, id, meta: { versionId: String(rows[0]?.version_id ?? 1), lastUpdated: now.toISOString() } };
}

/** Reads one resource. */
export async function readResource(db: Queryable, type: string, id: string): Promise<Resource> {
  const { rows } = await db.query<{ resource: Resource; version_id: number; last_updated: Date }>(
    "SELECT resource, version_id, last_updated FROM fhir_resources WHERE resource_type = $1 AND id = $2", [type, id]);
  const row = rows[0];
  if (row === undefined) throw new FhirProblem(404, `${type}/${id} not found`);
  return { ...row.resource, meta: { versionId: String(row.version_id), lastUpdated: row.last_updated.toISOString() } };
}

/** Search parameters each type supports, and the column each filters. */
const PARAMS: Record<string, Record<string, "patient_id" | "encounter_id" | "status" | "service_type" | "date_start">> = {
  Appointment: { patient: "patient_id", status: "status", "service-type": "service_type", date: "date_start" },
  MedicationRequest: { patient: "patient_id", subject: "patient_id", status: "status" },
  MedicationAdministration: { patient: "patient_id", subject: "patient_id", context: "encounter_id", encounter: "encounter_id" },
  Coverage: { beneficiary: "patient_id", patient: "patient_id", status: "status" },
  Condition: { patient: "patient_id", subject: "patient_id" },
  DocumentReference: { patient: "patient_id", subject: "patient_id" },
  Task: { patient: "patient_id", status: "status" },
  CoverageEligibilityResponse: { patient: "patient_id" },
  Encounter: { patient: "patient_id", subject: "patient_id", date: "date_start", status: "status" },
  ChargeItem: { patient: "patient_id", subject: "patient_id", context: "encounter_id", status: "status" },
};

/** A page of search results. */
export interface SearchPage {
  total: number;
  resources: Resource[];
  offset: number;
  count: number;
}

/**
 * Searches one type. Unknown parameters are refused rather than silently ignored. A value with
 * commas is FHIR's OR (`patient=p1,p2`); every page is one SQL statement (`= ANY(…)` per
 * parameter, the total counted alongside the rows).
 */
export async function searchResources(db: Queryable, type: string, params: URLSearchParams): Promise<SearchPage> {
  if (!(SANDBOX_TYPES as readonly string[]).includes(type)) throw new FhirProblem(404, `Unknown resource type ${type}`);
  const where = ["resource_type = $1"];
  const values: unknown[] = [type];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replaceAll("?", `$${values.length}`));
  };
  const count = Math.min(Math.max(Number(params.get("_count") ?? 100) || 100, 1), 1000);
  const offset = Math.max(Number(params.get("_offset") ?? 0) || 0, 0);
  for (const [name, raw] of params) {
    if (name === "_count" || name === "_offset") continue;
    if (name === "_id") {
      add("id = ANY(?)", raw.split(","));
      continue;
    }
    const column = PARAMS[type]?.[name];
    if (column === undefined) throw new FhirProblem(400, `Search parameter ${name} is not supported for ${type}`, name);
    if (column === "date_start") {
      const m = /^(ge|le|gt|lt|eq)?(\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)$/.exec(raw);
      if (m === null) throw new FhirProblem(400, `Invalid date ${raw}`, name);
      const op = { ge: ">=", le: "<=", gt: ">", lt: "<", eq: "=" }[(m[1] ?? "eq") as "ge"];
      const bound = m[3] === undefined ? (m[1] === "le" || m[1] === "gt" ? `${m[2]}T23:59:59.999Z` : `${m[2]}T00:00:00Z`) : m[2];
      add(`date_start ${op} ?::timestamptz`, bound);
    } else {
      // A reference (`Patient/p1`) searches by its id; commas separate values any of which may match.
      const ids = raw.split(",").map((v) => (v.includes("/") ? v.slice(v.lastIndexOf("/") + 1) : v));
      add(`${column} = ANY(?)`, ids);
    }
  }
  const whereSql = where.join(" AND ");
  const { rows } = await db.query<{ resource: Resource; total: string }>(
    `SELECT resource, count(*) OVER () AS total FROM fhir_resources WHERE ${whereSql}
     ORDER BY date_start NULLS LAST, id LIMIT ${count} OFFSET ${offset}`, values);
  // An empty page past the first has no row to carry the total: only then is it counted apart.
  const total = rows[0] !== undefined ? Number(rows[0].total)
    : offset === 0 ? 0
    : Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM fhir_resources WHERE ${whereSql}`, values)).rows[0]?.n ?? 0);
  return { total, resources: rows.map((r) => r.resource), offset, count };
}
