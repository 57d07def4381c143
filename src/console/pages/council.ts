/**
 * The council's pages (README, "Council: audit explorer and agent record"): the audit explorer —
 * entries filtered by agent, subject, kind, person and dates, in chain order, a page at a time by
 * keyset (`after` a seq: no count over the log, no offset) — a run's timeline, the chain's
 * verification (in the background: `chain-verifier.ts`) with its anchors, the export of the
 * filtered entries as CSV or JSON Lines (streamed page by page, never held whole), and each
 * agent's record by action type and week. Read-only: council and admin.
 */
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { NotFoundError } from "../../../tools/errors.js";
import { addDays, daysBetween } from "../../../tools/iso-dates.js";
import { agentDecisionStats } from "../../governance/agent-stats.js";
import { AuditKind, auditChainHead, queryAudit, type AuditEntry, type AuditQuery } from "../../governance/audit-log.js";
import { auditSeqWindow } from "../../governance/audit-search.js";
import { CSV_COLUMNS, csvCell } from "../../server/routes/audit.js";
import { Id, IsoDate } from "../../server/routes/fields.js";
import { showEntry } from "../audit-timeline.js";
import { ChainVerifier, type VerifyJob } from "../chain-verifier.js";
import type { ConsoleArea } from "../frame.js";
import { listUsers, userActor } from "../users.js";

const COUNCIL = { console: { roles: ["council", "admin"] as const } };

/** Entries a page of the explorer shows. */
export const AUDIT_PAGE_SIZE = 50;
/** Entries read a query while exporting. */
const EXPORT_BATCH = 1_000;

/** An empty form field is no filter. */
const blank = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : typeof value === "string" ? value.trim() : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

/** The explorer's filters as the form sends them (dates are UTC calendar days, both included). */
export const AuditFilterForm = z.object({
  agent: optional(Id),
  kind: optional(AuditKind),
  subjectType: optional(Id),
  subjectId: optional(Id),
  runId: optional(Id),
  actor: optional(z.string().max(300)),
  from: optional(IsoDate),
  to: optional(IsoDate),
  after: optional(z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER)),
}).refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, { path: ["to"], message: "must not be before from" });
export type AuditFilterForm = z.infer<typeof AuditFilterForm>;

/** The form's filters as a query of the log. */
function toQuery(f: AuditFilterForm): AuditQuery {
  return {
    agent: f.agent, kind: f.kind, subjectType: f.subjectType, subjectId: f.subjectId, runId: f.runId, actor: f.actor,
    from: f.from === undefined ? undefined : new Date(`${f.from}T00:00:00Z`),
    to: f.to === undefined ? undefined : new Date(`${addDays(f.to, 1)}T00:00:00Z`),
  };
}

/** The query string of the filters (without the page), for links. */
function filterQuery(f: AuditFilterForm, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of ["agent", "kind", "subjectType", "subjectId", "runId", "actor", "from", "to"] as const) {
    const value = f[key];
    if (value !== undefined) params.set(key, String(value));
  }
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** The query with a date range bounded to its run of seq (`auditSeqWindow`: fast at millions of entries). */
async function bounded(app: FastifyInstance, q: AuditQuery): Promise<AuditQuery> {
  if (q.from === undefined && q.to === undefined) return q;
  const window = await auditSeqWindow(app.db.pool, { from: q.from, to: q.to });
  return { ...q, ...window };
}

/** Every entry matching `q`, in chain order, a batch at a time (bounded memory however many match). */
async function* allEntries(app: FastifyInstance, query: AuditQuery): AsyncGenerator<AuditEntry[]> {
  const q = await bounded(app, query);
  let afterSeq = q.afterSeq;
  for (;;) {
    const batch = await queryAudit(app.db.pool, { ...q, afterSeq, limit: EXPORT_BATCH });
    if (batch.length > 0) yield batch;
    if (batch.length < EXPORT_BATCH) return;
    afterSeq = batch.at(-1)?.seq;
  }
}

/** The export as text chunks: CSV (RFC 4180, `csvCell` of the API's export) or JSON Lines. */
async function* exportChunks(batches: AsyncIterable<AuditEntry[]>, format: "csv" | "jsonl"): AsyncGenerator<string> {
  if (format === "csv") yield `${CSV_COLUMNS.join(",")}\r\n`;
  for await (const batch of batches) {
    yield format === "csv"
      ? batch.map((e) => `${CSV_COLUMNS.map((c) => csvCell(e[c])).join(",")}\r\n`).join("")
      : batch.map((e) => `${JSON.stringify(e)}\n`).join("");
  }
}

/** The agent record's range: UTC dates, both included; the last twelve weeks by default. */
const AgentRange = z.object({ from: optional(IsoDate), to: optional(IsoDate) })
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, { path: ["to"], message: "must not be before from" })
  .refine((r) => r.from === undefined || r.to === undefined || daysBetween(r.from, r.to) < 731, { path: ["to"], message: "the range may cover at most two years" });

async function routes(app: FastifyInstance): Promise<void> {
  const verifier = new ChainVerifier(app.db.pool, app.auditAnchors);

  app.get("/audit", { config: COUNCIL, schema: { hide: true, querystring: AuditFilterForm } }, async (request, reply) => {
    const filter = request.query as AuditFilterForm;
    const q = await bounded(app, toQuery(filter));
    const afterSeq = filter.after === undefined ? q.afterSeq : Math.max(filter.after, q.afterSeq ?? 0);
    const rows = await queryAudit(app.db.pool, { ...q, afterSeq, limit: AUDIT_PAGE_SIZE + 1 });
    const entries = rows.slice(0, AUDIT_PAGE_SIZE).map(showEntry);
    const last = entries.at(-1);
    const people = (await listUsers(app.db.pool)).map((u) => ({ value: `user:${u.id}`, label: `${u.displayName} (${u.username})` }));
    return reply.page("council/audit", {
      filter,
      entries,
      options: {
        agents: app.runtime.registry.list().map((d) => ({ id: d.id, title: d.title })),
        kinds: AuditKind.options,
        people: [...people, { value: "agent:", label: "Any agent" }, { value: "key:", label: "Any API key" }, { value: "system", label: "The system" }],
      },
      nextHref: rows.length > AUDIT_PAGE_SIZE && last !== undefined ? `/audit${filterQuery(filter, { after: String(last.seq) })}` : null,
      firstHref: filter.after === undefined ? null : `/audit${filterQuery(filter)}`,
      // Unfiltered, the newest page is a keyset position too: after the head less a page.
      newestHref: filterQuery(filter) === "" ? `/audit?after=${Math.max(0, (await auditChainHead(app.db.pool)).seq - AUDIT_PAGE_SIZE)}` : null,
      exportCsv: `/audit/export${filterQuery(filter, { format: "csv" })}`,
      exportJsonl: `/audit/export${filterQuery(filter, { format: "jsonl" })}`,
      verifying: verifier.current(),
    }, { title: "Audit explorer" });
  });

  app.get("/audit/export", {
    config: COUNCIL,
    schema: { hide: true, querystring: AuditFilterForm.and(z.object({ format: z.enum(["csv", "jsonl"]).default("csv") })) },
  }, async (request, reply) => {
    const { format, ...filter } = request.query as AuditFilterForm & { format: "csv" | "jsonl" };
    const stamp = new Date().toISOString().replaceAll(":", "-");
    reply.header("content-disposition", `attachment; filename="audit-${stamp}.${format}"`).header("cache-control", "no-store");
    reply.type(format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
    return reply.send(Readable.from(exportChunks(allEntries(app, toQuery(filter)), format)));
  });

  app.get<{ Params: { runId: string } }>("/audit/runs/:runId", {
    config: COUNCIL, schema: { hide: true, params: z.object({ runId: Id }) },
  }, async (request, reply) => {
    const { runId } = request.params;
    const { rows } = await app.db.pool.query<{ agent: string; subject_type: string; subject_id: string; status: string; created_at: Date }>(
      "SELECT agent, subject_type, subject_id, status, created_at FROM runs WHERE id = $1", [runId]);
    const entries: AuditEntry[] = [];
    for await (const batch of allEntries(app, { runId })) entries.push(...batch);
    if (rows[0] === undefined && entries.length === 0) throw new NotFoundError(`No run ${runId}`);
    const run = rows[0];
    return reply.page("council/run", {
      runId,
      run: run === undefined ? null : { agent: run.agent, subject: `${run.subject_type} ${run.subject_id}`, status: run.status, startedAt: run.created_at.toISOString() },
      entries: entries.map(showEntry),
      auditHref: `/audit?runId=${encodeURIComponent(runId)}`,
    }, { title: `Run ${runId}` });
  });

  const verifyView = async (job: VerifyJob) => ({
    job: {
      id: job.id, state: job.state, entries: job.entries, startedBy: job.startedBy, startedAt: job.startedAt.toISOString(),
      finishedAt: job.finishedAt?.toISOString() ?? null, error: job.error, result: job.result,
      seconds: Math.round(((job.finishedAt ?? new Date()).getTime() - job.startedAt.getTime()) / 100) / 10,
    },
    anchors: job.state === "running" ? [] : (await app.auditAnchors.list(10)).map(({ anchor, valid }) => ({ anchor, valid })),
  });

  app.post("/audit/verify", { config: COUNCIL, schema: { hide: true } }, async (request, reply) => {
    const session = request.consoleSession;
    const job = await verifier.start(session === null ? "unknown" : userActor(session.user));
    if (request.headers["hx-request"] !== undefined) {
      return reply.type("text/html; charset=utf-8").send(app.consoleRenderer.fragment("council/verify-status", await verifyView(job)));
    }
    return reply.redirect(`/audit/verify/${job.id}`, 303);
  });

  app.get<{ Params: { id: string } }>("/audit/verify/:id", {
    config: COUNCIL, schema: { hide: true, params: z.object({ id: z.uuid() }) },
  }, async (request, reply) => {
    const job = verifier.get(request.params.id);
    if (job === undefined) throw new NotFoundError("This verification is not known (the service may have restarted): start it again");
    const view = await verifyView(job);
    if (request.headers["hx-request"] !== undefined) {
      return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(app.consoleRenderer.fragment("council/verify-status", view));
    }
    return reply.page("council/verify", view, { title: "Audit chain verification" });
  });

  app.get("/agents", { config: COUNCIL, schema: { hide: true, querystring: AgentRange } }, async (request, reply) => {
    const query = request.query as z.infer<typeof AgentRange>;
    const today = new Date().toISOString().slice(0, 10);
    const to = query.to ?? (query.from !== undefined && query.from > today ? query.from : today);
    const from = query.from ?? addDays(to, -83);
    const stats = await agentDecisionStats(app.db.pool, { from: new Date(`${from}T00:00:00Z`), to: new Date(`${addDays(to, 1)}T00:00:00Z`) });
    const titles = new Map(app.runtime.registry.list().map((d) => [d.id, d.title]));
    const charts = stats.map((s, i) => ({
      id: `trend-${i}`, title: `${titles.get(s.agent) ?? s.agent}: ${s.actionType}`,
      weeks: s.weeks.map((w) => w.week),
      series: {
        decisions: s.weeks.map((w) => w.decisions), acceptedWithoutEdit: s.weeks.map((w) => w.acceptedWithoutEdit), edited: s.weeks.map((w) => w.edited),
        ignored: s.weeks.map((w) => w.ignored), overrides: s.weeks.map((w) => w.overrides), executedAutomatically: s.weeks.map((w) => w.executedAutomatically),
      },
    }));
    return reply.page("council/agents", {
      from, to,
      stats: stats.map((s, i) => ({ ...s, title: titles.get(s.agent) ?? s.agent, chartId: `trend-${i}` })),
      // Read by /assets/agents.js; `<` escaped so the block cannot close its script element.
      chartJson: JSON.stringify(charts).replaceAll("<", "\\u003c"),
    }, { title: "Agent record" });
  });
}

export const councilPages: ConsoleArea = {
  name: "council",
  nav: [
    { href: "/audit", label: "Audit", roles: ["council", "admin"], group: "Council" },
    { href: "/agents", label: "Agent record", roles: ["council", "admin"], group: "Council" },
  ],
  routes,
};
