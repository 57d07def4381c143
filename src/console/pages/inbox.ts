/**
 * The staff inbox (README, "Staff inbox"): the pending drafts by agent and action type, filtered
 * and paged; an item with who and what it is about, what the agent proposes and why, each piece
 * of evidence linked to the X12 segment or chart resource it came from; accept / edit / respond /
 * ignore, take or hand over, bulk accept; live updates by server-sent events. Every decision goes
 * through the runtime as the API's do (`AgentRuntime.decide`): the run resumes, and the trail
 * names the person (`userActor`).
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type pg from "pg";
import { z } from "zod";
import { AppError, BadInputError, NotFoundError } from "../../../tools/errors.js";
import { getReviewItem, type ReviewItem } from "../../governance/reviews.js";
import type { ActionTypeDefinition } from "../../orchestration/agent-definition.js";
import { editableView } from "../../orchestration/edits.js";
import { REVIEW_NOTE_MAX, type ReviewDecision } from "../../orchestration/human-review.js";
import {
  assigneeOf, assignReview, CONFIDENCE_BANDS, ConfidenceBand, InboxCounter, evidenceSource, feedAfter, feedStart, hasSource, inboxColleagues,
  itemTrail, listInbox, type InboxChange, type InboxFilter,
} from "../inbox.js";
import type { ConsoleArea } from "../frame.js";
import type { ConsoleSession } from "../sessions.js";
import { userActor } from "../users.js";

const ROLES = ["staff", "admin"] as const;
const access = { console: { roles: ROLES } };
/** Items a page. */
export const PAGE_SIZE = 50;
/** How often the live feed reads the trail for changes to the queue. */
const FEED_POLL_MS = 1000;
/** A comment line on every open stream, so proxies keep it open. */
const HEARTBEAT_MS = 25_000;

const blank = (v: unknown) => (v === "" ? undefined : v);
const Text = z.preprocess(blank, z.string().trim().min(1).max(200).optional());
const Day = z.preprocess(blank, z.iso.date("a date, YYYY-MM-DD").optional());

/** The inbox's query: tab, filters, page. Bad values are a 400 page naming the field. */
export const InboxQuery = z.object({
  agent: Text,
  type: Text,
  payer: Text,
  due: Day.describe("Due before this day"),
  band: z.preprocess(blank, ConfidenceBand.optional()),
  mine: z.preprocess(blank, z.enum(["1"]).optional()),
  page: z.preprocess(blank, z.coerce.number().int().min(1).max(100_000).default(1)),
});
type InboxQuery = z.infer<typeof InboxQuery>;

const ItemParams = z.object({ id: z.string().min(1).max(200) });

const Note = z.preprocess(blank, z.string().trim().max(REVIEW_NOTE_MAX).optional());
/** Where a stream starts: the audit sequence number the page was rendered at. */
const EventsQuery = z.object({ after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() });
type EventsQuery = z.infer<typeof EventsQuery>;

const DecideForm = z.object({
  decision: z.enum(["accept", "edit", "respond", "ignore"]),
  note: Note,
  _csrf: z.string().optional(),
}).catchall(z.union([z.string(), z.array(z.string())]));

const AssignForm = z.object({
  to: z.preprocess(blank, z.string().max(200).optional()).describe("me, a user id, or empty: back to the common queue"),
  back: z.string().max(2000).optional(),
  _csrf: z.string().optional(),
});

const BulkForm = z.object({
  ids: z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).max(PAGE_SIZE)]).optional(),
  back: z.string().max(2000).optional(),
  _csrf: z.string().optional(),
});

/** The filter a query asks for, for the signed-in person. */
function filterOf(q: InboxQuery, session: ConsoleSession): InboxFilter {
  return {
    agent: q.agent, actionType: q.type, payer: q.payer, band: q.band,
    dueBefore: q.due === undefined ? undefined : new Date(`${q.due}T00:00:00Z`),
    assignedTo: q.mine === "1" ? session.user.id : undefined,
  };
}

/** The query string of the inbox with `change` applied (page back to 1 unless given). */
export function inboxHref(q: Partial<InboxQuery>, change: Partial<Record<keyof InboxQuery, string | number | undefined>> = {}, path = "/inbox"): string {
  const merged: Record<string, unknown> = { ...q, page: undefined, ...change };
  const params = new URLSearchParams();
  for (const key of ["agent", "type", "payer", "due", "band", "mine", "page"]) {
    const v = merged[key];
    if (v !== undefined && v !== null && v !== "" && !(key === "page" && Number(v) === 1)) params.set(key, String(v));
  }
  const s = params.toString();
  return s === "" ? path : `${path}?${s}`;
}

/** A path inside the inbox to go back to (never another site). */
const safeBack = (back: unknown, fallback: string) =>
  typeof back === "string" && /^\/inbox(?:[/?][^\s]*)?$/.test(back) && !back.startsWith("//") ? back : fallback;

/** One field of the edit form: a dotted path into the draft, how it is entered, and its value as shown. */
export interface FormField {
  name: string;
  label: string;
  description: string | null;
  kind: "text" | "textarea" | "number" | "json";
  value: string;
}

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[]; description?: string; maxLength?: number };

const shown = (kind: FormField["kind"], v: unknown) => (kind === "json" ? JSON.stringify(v ?? null, null, 2) : v === null || v === undefined ? "" : String(v));
const humanize = (name: string) => name.split(".").map((p) => p.replace(/([A-Z])/g, " $1").toLowerCase()).join(" › ");

/**
 * The edit form of an action type, from the JSON Schema of its edit (edits.ts: `editableView`):
 * a text field per string, a number field per number, an object's fields one by one, and JSON for
 * the rest (lists, values that may be null). Its values are the draft's.
 */
export function formFields(schema: JsonSchema, values: Record<string, unknown>, prefix = ""): FormField[] {
  const out: FormField[] = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const name = `${prefix}${key}`;
    const value = values[key];
    if (sub.type === "object" && sub.properties !== undefined && (typeof value === "object" && value !== null && !Array.isArray(value))) {
      out.push(...formFields(sub, value as Record<string, unknown>, `${name}.`));
      continue;
    }
    const kind: FormField["kind"] = sub.type === "string" ? ((sub.maxLength ?? 1000) > 120 ? "textarea" : "text")
      : sub.type === "integer" || sub.type === "number" ? "number" : "json";
    out.push({ name, label: humanize(name), description: sub.description ?? null, kind, value: shown(kind, value) });
  }
  return out;
}

/** The edit a form asks for: only the fields whose value differs from the draft's, nested by path. */
export function editFromForm(fields: FormField[], body: Record<string, unknown>): Record<string, unknown> {
  const edit: Record<string, unknown> = {};
  for (const f of fields) {
    const sent = body[`f:${f.name}`];
    if (typeof sent !== "string") continue;
    const normalized = sent.replace(/\r\n/g, "\n");
    if (normalized === f.value) continue;
    let value: unknown = normalized;
    if (f.kind === "number") {
      value = normalized.trim() === "" ? null : Number(normalized);
      if (typeof value === "number" && !Number.isFinite(value)) throw new BadInputError(`${f.name}: is not a number`, { details: { field: f.name } });
    } else if (f.kind === "json") {
      try {
        value = JSON.parse(normalized);
      } catch {
        throw new BadInputError(`${f.name}: is not valid JSON`, { details: { field: f.name } });
      }
    }
    const path = f.name.split(".");
    let at = edit;
    for (const part of path.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[path.at(-1) as string] = value;
  }
  return edit;
}

/** The decision a form asks for (the edit built from its fields). */
function decisionOf(form: z.infer<typeof DecideForm>, fields: FormField[]): ReviewDecision {
  switch (form.decision) {
    case "accept": return { type: "accept", reason: form.note ?? null };
    case "edit": return { type: "edit", args: editFromForm(fields, form), reason: form.note ?? null };
    case "respond":
      if (form.note === undefined) throw new BadInputError("note: a response needs a note");
      return { type: "response", args: form.note };
    case "ignore": return { type: "ignore", args: form.note ?? null };
  }
}

/**
 * The live feed: while anyone has the inbox open, the trail is read once a second for new,
 * decided, superseded and reassigned items (from any instance), and every open stream is told.
 */
class InboxFeed {
  private readonly listeners = new Set<(changes: InboxChange[]) => void>();
  private timer: NodeJS.Timeout | null = null;
  private last: number | null = null;
  private busy = false;

  constructor(private readonly pool: pg.Pool, private readonly onError: (error: unknown) => void, private readonly onChange: () => void) {}

  subscribe(listener: (changes: InboxChange[]) => void): () => void {
    this.listeners.add(listener);
    if (this.timer === null) {
      this.timer = setInterval(() => void this.tick(), FEED_POLL_MS);
      this.timer.unref();
      void this.tick();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.last = null;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (this.last === null) {
        this.last = await feedStart(this.pool);
        return;
      }
      const changes = await feedAfter(this.pool, this.last);
      if (changes.length === 0) return;
      this.last = (changes.at(-1) as InboxChange).seq;
      this.onChange();
      for (const listener of this.listeners) listener(changes);
    } catch (error) {
      this.onError(error);
    } finally {
      this.busy = false;
    }
  }
}

/**
 * The pending item before and after one, in the queue's order (for j / k on an item page): index
 * scans of the pending items from the item's place (items due nowhere come last).
 */
async function neighbours(pool: pg.Pool, item: Pick<ReviewItem, "id" | "dueBy" | "createdAt">): Promise<{ previous: string | null; next: string | null }> {
  const one = async (sql: string, params: unknown[]) => (await pool.query<{ id: string }>(sql, params)).rows[0]?.id ?? null;
  const key = [item.dueBy, item.createdAt, item.id];
  const pending = "SELECT id FROM review_items WHERE status = 'pending'";
  if (item.dueBy === null) {
    const params = [item.createdAt, item.id];
    return {
      previous: await one(`${pending} AND due_by IS NULL AND (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT 1`, params)
        ?? await one(`${pending} AND due_by IS NOT NULL ORDER BY due_by DESC, created_at DESC, id DESC LIMIT 1`, []),
      next: await one(`${pending} AND due_by IS NULL AND (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT 1`, params),
    };
  }
  return {
    previous: await one(`${pending} AND (due_by, created_at, id) < ($1, $2, $3) ORDER BY due_by DESC, created_at DESC, id DESC LIMIT 1`, key),
    next: await one(`${pending} AND (due_by, created_at, id) > ($1, $2, $3) ORDER BY due_by, created_at, id LIMIT 1`, key)
      ?? await one(`${pending} AND due_by IS NULL ORDER BY created_at, id LIMIT 1`, []),
  };
}

async function routes(app: FastifyInstance): Promise<void> {
  const pool = app.db.pool;
  const counter = new InboxCounter(pool);
  // Whatever changes the queue while someone watches (here or on another instance), the counts are read again.
  const feed = new InboxFeed(pool, (error) => app.log.warn({ err: error }, "inbox feed read failed"), () => counter.forget());
  const streams = new Set<FastifyReply>();
  const endStreams = () => {
    feed.stop();
    for (const reply of streams) reply.raw.end();
    streams.clear();
  };
  app.addHook("preClose", async () => endStreams());
  app.addHook("onClose", async () => endStreams());

  const sessionOf = (request: { consoleSession: ConsoleSession | null }): ConsoleSession => {
    if (request.consoleSession === null) throw new BadInputError("Not signed in");
    return request.consoleSession;
  };
  const actionDef = (item: Pick<ReviewItem, "agent" | "actionType">): ActionTypeDefinition<unknown, unknown> | null => {
    try {
      return app.runtime.registry.actionType(item.agent, item.actionType);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  };
  const fieldsOf = (item: ReviewItem): FormField[] => {
    const def = actionDef(item);
    if (def === null) return [];
    const view = editableView(def, item.draft, true);
    return formFields(view.schema as JsonSchema, view.values);
  };

  /** What the list (and its refresh) renders. */
  const listData = async (q: InboxQuery, session: ConsoleSession, csrfToken: string) => {
    const filter = filterOf(q, session);
    const [rows, counts] = await Promise.all([
      listInbox(pool, filter, { offset: (q.page - 1) * PAGE_SIZE, limit: PAGE_SIZE }),
      counter.counts(filter),
    ]);
    const pages = Math.max(1, Math.ceil(counts.total / PAGE_SIZE));
    return { q, rows, counts, page: q.page, pages, pageSize: PAGE_SIZE, href: inboxHref, me: session.user.id, bands: CONFIDENCE_BANDS, csrfToken };
  };

  app.get("/inbox", { config: access, schema: { querystring: InboxQuery } }, async (request, reply) => {
    const q = request.query as InboxQuery;
    // The feed's place before the list is read: the page's stream starts there, so a change made
    // between this read and the stream's connection is still announced (at worst twice, never lost).
    const eventsAfter = await feedStart(pool);
    const data = await listData(q, sessionOf(request), reply.generateCsrf());
    return reply.page("inbox/index", { ...data, eventsAfter, list: app.consoleRenderer.fragment("inbox/list", data) }, { title: "Inbox" });
  });

  app.get("/inbox/list", { config: access, schema: { querystring: InboxQuery } }, async (request, reply) => {
    const data = await listData(request.query as InboxQuery, sessionOf(request), reply.generateCsrf());
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(app.consoleRenderer.fragment("inbox/list", data));
  });

  app.get("/inbox/events", { config: access, schema: { querystring: EventsQuery } }, async (request, reply) => {
    const session = sessionOf(request);
    const me = userActor(session.user);
    // Where the stream starts: the browser's last event on a reconnection, else the page's place.
    const lastEventId = Number(request.headers["last-event-id"]);
    const after = Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (request.query as EventsQuery).after;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
    raw.write("retry: 3000\n: inbox feed\n\n");
    streams.add(reply);
    let sent = after ?? 0;
    const send = (all: InboxChange[]) => {
      const changes = all.filter((c) => c.seq > sent);
      if (changes.length === 0) return;
      sent = (changes.at(-1) as InboxChange).seq;
      const data = {
        created: changes.filter((c) => c.kind === "review.created").map((c) => c.reviewId),
        decided: changes.filter((c) => c.kind === "review.decided" || c.kind === "review.superseded").map((c) => c.reviewId),
        assigned: changes.filter((c) => c.kind === "review.assigned").map((c) => c.reviewId),
        byOthers: changes.some((c) => c.actor !== me && c.kind !== "review.created"),
      };
      raw.write(`id: ${sent}\nevent: inbox\ndata: ${JSON.stringify(data)}\n\n`);
    };
    // Subscribed first, then what happened since the page's place: nothing falls between the two.
    const unsubscribe = feed.subscribe(send);
    if (after !== undefined) await feedAfter(pool, after).then(send, (error: unknown) => app.log.warn({ err: error }, "inbox feed backlog read failed"));
    // The stream is no activity: it never keeps a session alive, and it ends once its session has
    // (signed out, idle, expired, user disabled) — the browser's reconnection then meets the sign-in.
    const heartbeat = setInterval(() => {
      void pool.query<{ live: boolean }>(
        `SELECT s.ended_at IS NULL AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(mins => $2) AND u.disabled_at IS NULL AS live
         FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
        [session.tokenHash, app.consoleConfig.idleMinutes],
      ).then(({ rows }) => (rows[0]?.live === true ? raw.write(": keep-alive\n\n") : raw.end()), () => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    raw.on("close", () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(reply);
    });
  });

  const itemPage = async (reply: FastifyReply, id: string, session: ConsoleSession, extra: { status?: number; flash?: { kind: "ok" | "error"; text: string }; sent?: Record<string, unknown> } = {}) => {
    const { interruptId: _i, ...item } = await getReviewItem(pool, id);
    const fields = fieldsOf(item);
    if (extra.sent !== undefined) for (const f of fields) if (typeof extra.sent[`f:${f.name}`] === "string") f.value = extra.sent[`f:${f.name}`] as string;
    const [assignee, colleagues, around, trail] = await Promise.all([
      assigneeOf(pool, id),
      inboxColleagues(pool),
      neighbours(pool, item),
      itemTrail(pool, item),
    ]);
    return reply.page("inbox/item", {
      item, fields, assignee, colleagues, around, trail, me: session.user.id, hasSource,
      note: typeof extra.sent?.note === "string" ? extra.sent.note : "",
    }, { title: item.summary || "Review item", status: extra.status, flash: extra.flash });
  };

  app.get("/inbox/items/:id", { config: access, schema: { params: ItemParams, querystring: z.object({ decided: z.string().max(20).optional() }) } }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof ItemParams>;
    const decided = (request.query as { decided?: string }).decided;
    const flash = decided === undefined ? undefined : { kind: "ok" as const, text: `Decided: ${decided}. The run resumed; the trail names you.` };
    return itemPage(reply, id, sessionOf(request), { flash });
  });

  app.get("/inbox/items/:id/evidence/:n", {
    config: access,
    schema: { params: ItemParams.extend({ n: z.coerce.number().int().min(1).max(1000) }) },
  }, async (request, reply) => {
    const { id, n } = request.params as { id: string; n: number };
    const { interruptId: _i, ...item } = await getReviewItem(pool, id);
    const source = await evidenceSource(pool, item, n - 1);
    return reply.page("inbox/evidence", { item, n, source }, { title: `Evidence ${n}: ${source.evidence.ref}` });
  });

  app.post("/inbox/items/:id/decide", { config: access, schema: { params: ItemParams, body: DecideForm } }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof ItemParams>;
    const form = request.body as z.infer<typeof DecideForm>;
    const session = sessionOf(request);
    const { interruptId: _i, ...item } = await getReviewItem(pool, id);
    try {
      const decision = decisionOf(form, fieldsOf(item));
      const { review } = await app.runtime.decide(id, decision, userActor(session.user));
      counter.forget();
      return reply.redirect(`/inbox/items/${encodeURIComponent(id)}?decided=${review.status}`, 303);
    } catch (error) {
      // A refused edit or a missing note: the page again, with what was typed and why.
      if (error instanceof BadInputError) return itemPage(reply, id, session, { status: 400, flash: { kind: "error", text: error.message }, sent: form });
      throw error;
    }
  });

  app.post("/inbox/items/:id/assign", { config: access, schema: { params: ItemParams, body: AssignForm } }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof ItemParams>;
    const form = request.body as z.infer<typeof AssignForm>;
    const session = sessionOf(request);
    const to = form.to === "me" ? session.user.id : (form.to ?? null);
    await assignReview(pool, id, to, session.user, new Date());
    counter.forget();
    return reply.redirect(safeBack(form.back, `/inbox/items/${encodeURIComponent(id)}`), 303);
  });

  app.post("/inbox/bulk-accept", { config: access, schema: { body: BulkForm } }, async (request, reply) => {
    const form = request.body as z.infer<typeof BulkForm>;
    const session = sessionOf(request);
    const ids = [...new Set(form.ids === undefined ? [] : Array.isArray(form.ids) ? form.ids : [form.ids])];
    if (ids.length === 0) throw new BadInputError("Select the items to accept first");
    const items = await Promise.all(ids.map(async (id) => {
      try {
        return await getReviewItem(pool, id);
      } catch (error) {
        if (error instanceof NotFoundError) throw new BadInputError(`No review item ${id}`);
        throw error;
      }
    }));
    const types = new Set(items.map((i) => `${i.agent} ${i.actionType}`));
    if (types.size > 1) throw new BadInputError(`Bulk accept takes items of one action type; these are ${[...types].join(", ")}`);
    const actor = userActor(session.user);
    const results: { id: string; summary: string; ok: boolean; text: string }[] = [];
    // One at a time: each is its own decision, audited on its own, its run resumed.
    for (const item of items) {
      try {
        const { review } = await app.runtime.decide(item.id, { type: "accept" }, actor);
        results.push({ id: item.id, summary: item.summary, ok: true, text: review.status });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        results.push({ id: item.id, summary: item.summary, ok: false, text: error.message });
      }
    }
    counter.forget();
    const accepted = results.filter((r) => r.ok).length;
    return reply.page("inbox/bulk", { results, back: safeBack(form.back, "/inbox"), actionType: items[0]?.actionType ?? "" }, {
      title: "Bulk accept",
      flash: { kind: accepted === results.length ? "ok" : "error", text: `${accepted} of ${results.length} accepted` },
    });
  });
}

export const inboxPages: ConsoleArea = {
  name: "inbox",
  nav: [{ href: "/inbox", label: "Inbox", roles: ROLES, group: "Work" }],
  routes,
};
