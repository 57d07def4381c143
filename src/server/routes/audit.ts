/** The audit trail for the governance council: query, export (JSONL or CSV), chain verification and the anchors of its head. */
import path from "node:path";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { queryAudit, verifyAuditChain, type AuditEntry, type AuditQuery } from "../../governance/audit-log.js";
import { AuditAnchor } from "../../governance/audit-anchors.js";
import { listAuditArchives } from "../../governance/audit-archive.js";
import { canonicalJson } from "../../governance/canonical-json.js";
import { authErrorResponses } from "../problem.js";
import { Id, IsoDateTime } from "./fields.js";
import { AuditEntryView } from "./run-schemas.js";

/** Who may read the audit trail (and a run's steps, which are entries of it: tool inputs and outputs). */
export const AUDIT_ROLES = ["council", "admin"] as const;
const ROLES = AUDIT_ROLES;

const AuditFilter = z.object({
  agent: Id.optional(),
  subjectType: Id.optional(),
  subjectId: Id.optional(),
  runId: Id.optional(),
  kind: Id.optional(),
  from: IsoDateTime.optional().describe("Entries at or after this time"),
  to: IsoDateTime.optional().describe("Entries before this time"),
  afterSeq: z.coerce.number().int().min(0).optional().describe("Page: entries after this sequence number"),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
});

function toQuery(q: z.infer<typeof AuditFilter>): AuditQuery {
  return { ...q, from: q.from === undefined ? undefined : new Date(q.from), to: q.to === undefined ? undefined : new Date(q.to) };
}

export const CSV_COLUMNS = ["seq", "id", "at", "kind", "actor", "runId", "agent", "node", "subjectType", "subjectId", "payload", "prevHash", "hash", "keyId"] as const;

/**
 * One CSV cell. A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read as
 * a formula by spreadsheets: it is prefixed with `'` so it stays text (OWASP, CSV injection).
 */
export function csvCell(value: unknown): string {
  const raw = value === null || value === undefined ? "" : typeof value === "string" ? value : canonicalJson(value);
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Renders entries as CSV (RFC 4180), payload as JSON in one cell. */
export function auditCsv(entries: AuditEntry[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const e of entries) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/audit", {
    config: { roles: ROLES },
    schema: {
      tags: ["audit"], summary: "Audit entries in chain order, filtered", security: [{ bearerAuth: [] }],
      querystring: AuditFilter,
      response: { 200: z.object({ entries: z.array(AuditEntryView) }), ...authErrorResponses },
    },
  }, async (request) => ({ entries: await queryAudit(app.db.pool, toQuery(request.query)) }));

  app.get("/audit/export", {
    config: { roles: ROLES },
    schema: {
      tags: ["audit"], summary: "Export audit entries as JSON Lines or CSV", security: [{ bearerAuth: [] }],
      querystring: AuditFilter.extend({ format: z.enum(["jsonl", "csv"]).default("jsonl") }),
      response: { 200: z.string().describe("application/x-ndjson or text/csv"), ...authErrorResponses },
    },
  }, async (request, reply) => {
    const { format, ...filter } = request.query;
    const entries = await queryAudit(app.db.pool, { ...toQuery({ ...filter }), limit: filter.limit });
    const stamp = new Date().toISOString().replaceAll(":", "-");
    reply.header("content-disposition", `attachment; filename="audit-${stamp}.${format}"`);
    if (format === "csv") return reply.type("text/csv; charset=utf-8").send(auditCsv(entries));
    return reply.type("application/x-ndjson; charset=utf-8").send(entries.map((e) => JSON.stringify(e)).join("\n") + (entries.length > 0 ? "\n" : ""));
  });

  app.get("/audit/verify", {
    config: { roles: ROLES },
    schema: {
      tags: ["audit"], summary: "Walk every entry of the keyed hash chain, check it against the latest anchor and report the first bad entry", security: [{ bearerAuth: [] }],
      response: {
        200: z.object({
          ok: z.boolean(),
          checked: z.number().int(),
          firstBadEntry: z.object({ seq: z.number().int(), id: z.string(), reason: z.string() }).nullable(),
          unkeyed: z.number().int().describe("Entries written before the chain was keyed (plain SHA-256; only ever its first entries)"),
          anchor: z.object({
            seq: z.number().int(),
            at: z.string(),
            status: z.enum(["matched", "truncated", "rewritten", "invalid"]),
            reason: z.string().nullable(),
          }).nullable().describe("The latest anchor (audit-anchors.jsonl) and how the database compares with it; null when there is none"),
          archivedThrough: z.object({ month: z.string(), seq: z.number().int(), hash: z.string() }).optional()
            .describe("When months were archived: the last archived entry, which the live chain was verified from"),
        }),
        ...authErrorResponses,
      },
    },
  }, async () => verifyAuditChain(app.db.pool, { anchor: await app.auditAnchors.latest() }));

  app.get("/audit/archives", {
    config: { roles: ROLES },
    schema: {
      tags: ["audit"], summary: "Months of the audit log archived to files (each verified before its partition was dropped), oldest first", security: [{ bearerAuth: [] }],
      response: {
        200: z.object({
          archives: z.array(z.object({
            month: z.string(), file: z.string().describe("The archive's file name (in AUDIT_ARCHIVE_DIR)"), sha256: z.string(), bytes: z.number().int(),
            entries: z.number().int(), firstSeq: z.number().int(), lastSeq: z.number().int(), firstPrevHash: z.string(), lastHash: z.string(),
          })),
        }),
        ...authErrorResponses,
      },
    },
  }, async () => ({ archives: (await listAuditArchives(app.db.pool)).map((a) => ({ ...a, file: path.basename(a.file) })) }));

  app.get("/audit/anchors", {
    config: { roles: ROLES },
    schema: {
      tags: ["audit"], summary: "The latest anchors of the chain's head written outside the database, newest first", security: [{ bearerAuth: [] }],
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100) }),
      response: {
        200: z.object({
          file: z.string().describe("The anchor file (append-only, in the data folder)"),
          anchors: z.array(z.object({
            anchor: AuditAnchor.nullable().describe("Null for a line that is not an anchor"),
            valid: z.boolean().describe("The anchor's HMAC holds under a key this service holds"),
          })),
        }),
        ...authErrorResponses,
      },
    },
  }, async (request) => ({
    file: path.basename(app.auditAnchors.file),
    anchors: (await app.auditAnchors.list(request.query.limit)).map(({ anchor, valid }) => ({ anchor, valid })),
  }));
};
