/**
 * The sandbox EHR's FHIR interactions: read, search (paged with `next` links), create, update,
 * Bundle import (transaction or batch) and export. Used by the HTTP routes under
 * `/sandbox/fhir` and, in-process, by `SandboxFhirTransport`.
 */
import type pg from "pg";
import type { FhirResponse, FhirTransport } from "../fhir-transport.js";
import { FhirProblem, SANDBOX_TYPES, checkResource, putResource, readResource, searchResources } from "./fhir-store.js";

type Json = Record<string, unknown>;

/** Answers one FHIR interaction. `base` is the absolute base URL used in links. */
export async function handleFhir(pool: pg.Pool, method: string, pathAndQuery: string, body: unknown, base: string): Promise<FhirResponse> {
  try {
    const [path = "", query = ""] = pathAndQuery.replace(/^\/+/, "").split("?", 2);
    const parts = path.split("/").filter((p) => p !== "");
    if (method === "POST" && parts.length === 0) return await importBundle(pool, body);
    if (method === "GET" && parts[0] === "$export") return { status: 200, body: await exportBundle(pool, new URLSearchParams(query)) };
    const [type, id] = parts;
    if (type === undefined) throw new FhirProblem(400, "No resource type in the path");
    if (method === "GET" && id === undefined) return { status: 200, body: await searchBundle(pool, type, new URLSearchParams(query), base) };
    if (method === "GET" && id !== undefined) return { status: 200, body: await readResource(pool, type, id) };
    if (method === "POST" && id === undefined) {
      const r = checkResource(body, type);
      return { status: 201, body: await putResource(pool, { ...r, id: undefined }) };
    }
    if (method === "PUT" && id !== undefined) {
      const r = checkResource(body, type);
      if (r.id !== undefined && r.id !== id) throw new FhirProblem(400, `id ${r.id} does not match the URL ${id}`, "id");
      return { status: 200, body: await putResource(pool, { ...r, id }) };
    }
    throw new FhirProblem(405, `${method} /${path} is not supported by the sandbox`);
  } catch (error) {
    if (error instanceof FhirProblem) return { status: error.status, body: error.outcome() };
    throw error;
  }
}

async function searchBundle(pool: pg.Pool, type: string, params: URLSearchParams, base: string): Promise<Json> {
  const page = await searchResources(pool, type, params);
  const link = [{ relation: "self", url: `${base}/${type}?${params.toString()}` }];
  if (page.offset + page.resources.length < page.total) {
    const next = new URLSearchParams(params);
    next.set("_offset", String(page.offset + page.count));
    link.push({ relation: "next", url: `${base}/${type}?${next.toString()}` });
  }
  return {
    resourceType: "Bundle", type: "searchset", total: page.total, link,
    entry: page.resources.map((r) => ({ fullUrl: `${base}/${type}/${String(r.id)}`, resource: r, search: { mode: "match" } })),
  };
}

/** Imports a transaction (all or nothing) or batch (each entry on its own) Bundle of PUT/POST entries. */
async function importBundle(pool: pg.Pool, body: unknown): Promise<FhirResponse> {
  const bundle = body as { resourceType?: string; type?: string; entry?: { resource?: unknown; request?: { method?: string; url?: string } }[] };
  if (bundle?.resourceType !== "Bundle") throw new FhirProblem(400, "POST to the base needs a Bundle", "resourceType");
  if (bundle.type !== "transaction" && bundle.type !== "batch") throw new FhirProblem(400, "Bundle.type must be transaction or batch", "type");
  const entries = bundle.entry ?? [];
  const one = async (db: pg.Pool | pg.PoolClient, e: (typeof entries)[number], i: number) => {
    const method = e.request?.method ?? "PUT";
    if (method !== "PUT" && method !== "POST") throw new FhirProblem(400, `entry ${i}: only PUT and POST are supported`, `entry[${i}].request.method`);
    const r = checkResource(e.resource);
    const saved = await putResource(db, method === "POST" ? { ...r, id: undefined } : r);
    return { response: { status: method === "POST" ? "201 Created" : "200 OK", location: `${saved.resourceType}/${String(saved.id)}` } };
  };
  if (bundle.type === "batch") {
    const out = [];
    for (const [i, e] of entries.entries()) {
      try {
        out.push(await one(pool, e, i));
      } catch (error) {
        if (!(error instanceof FhirProblem)) throw error;
        out.push({ response: { status: `${error.status}`, outcome: error.outcome() } });
      }
    }
    return { status: 200, body: { resourceType: "Bundle", type: "batch-response", entry: out } };
  }
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const out = [];
    for (const [i, e] of entries.entries()) out.push(await one(client, e, i));
    await client.query("COMMIT");
    return { status: 200, body: { resourceType: "Bundle", type: "transaction-response", entry: out } };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Exports resources (optionally `_type=A,B`) as a transaction Bundle that imports back as is. */
async function exportBundle(pool: pg.Pool, params: URLSearchParams): Promise<Json> {
  const types = params.get("_type")?.split(",") ?? [...SANDBOX_TYPES];
  const { rows } = await pool.query<{ resource: Json }>(
    "SELECT resource FROM fhir_resources WHERE resource_type = ANY($1) ORDER BY resource_type, id", [types]);
  return {
    resourceType: "Bundle", type: "transaction",
    entry: rows.map((r) => ({ resource: r.resource, request: { method: "PUT", url: `${String(r.resource.resourceType)}/${String(r.resource.id)}` } })),
  };
}

/** The sandbox EHR in-process: same interactions as over HTTP, without the network. */
export class SandboxFhirTransport implements FhirTransport {
  constructor(private readonly pool: pg.Pool, private readonly base = "sandbox:fhir") {}

  async request(method: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<FhirResponse> {
    const relative = path.startsWith(this.base) ? path.slice(this.base.length) : path;
    // Round-trip through JSON so callers never share objects with the store, as over HTTP.
    const res = await handleFhir(this.pool, method, relative, body === undefined ? undefined : JSON.parse(JSON.stringify(body)), this.base);
    return res;
  }
}
