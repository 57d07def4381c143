/**
 * The admin's pages (README, "Admin: agents, data and sweeps"): each agent's phase per action
 * type with its thresholds and its record against the next phase's criteria, promotion and
 * demotion with a justification (`changePhase`, as `POST /v1/agents/:id/autonomy`: an unearned
 * promotion is refused with its unmet criteria and audited as `autonomy.refused`); the reference
 * data loaded and its alerts; sweeps — start one over a date range, follow its progress (htmx
 * polls every 2 s) and read what it found. Admin only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ConflictError, NotFoundError, UnavailableError } from "../../../tools/errors.js";
import { addDays } from "../../../tools/iso-dates.js";
import { quarterOf } from "../../../tools/coding/quarters.js";
import { agentRecord, changePhase, currentPhases, Phase, unmetCriteria, type AgentRecord, type AutonomyPolicy } from "../../governance/autonomy.js";
import { sweepProgress, type SweepProgress } from "../../jobs/sweep-progress.js";
import { listSweeps } from "../../jobs/sweep-store.js";
import { DateRange } from "../../server/routes/date-range.js";
import { Id } from "../../server/routes/fields.js";
import { MAX_SWEEP_DAYS } from "../../server/routes/sweeps.js";
import type { ConsoleArea } from "../frame.js";
import { userActor } from "../users.js";

const ADMIN = { console: { roles: ["admin"] as const } };

/** One criterion of a phase and how far the record is toward it. */
export interface CriterionProgress {
  label: string;
  have: string;
  need: string;
  /** 0–100. */
  percent: number;
  met: boolean;
}

/** The record against the criteria of `phase` (the next one up), as progress toward each. */
export function criteriaProgress(record: AgentRecord, phase: Phase, policy: AutonomyPolicy): CriterionProgress[] {
  if (phase === "advisory") return [];
  const c = policy[phase];
  const pct = (have: number, need: number) => (need <= 0 ? 100 : Math.max(0, Math.min(100, Math.floor((have / need) * 100))));
  const rate = record.acceptedWithoutEditRate ?? 0;
  return [
    { label: "Reviewed decisions", have: String(record.reviewed), need: String(c.minReviewed), percent: pct(record.reviewed, c.minReviewed), met: record.reviewed >= c.minReviewed },
    {
      label: "Accepted without edit", have: `${(rate * 100).toFixed(1)} %`, need: `${(c.minAcceptedWithoutEdit * 100).toFixed(1)} %`,
      percent: pct(rate, c.minAcceptedWithoutEdit), met: rate >= c.minAcceptedWithoutEdit,
    },
    { label: "Days of record", have: String(record.days), need: String(c.minDays), percent: pct(record.days, c.minDays), met: record.days >= c.minDays },
  ];
}

const nextPhase = (phase: Phase): Phase | null => (phase === "advisory" ? "partial" : phase === "partial" ? "full" : null);

/** A refused promotion as the page shows it. */
interface Refusal {
  agent: string;
  actionType: string;
  requested: string;
  unmet: string[];
}

const PhaseForm = z.object({
  phase: Phase,
  actionType: z.preprocess((v) => (v === "" || v === "*" ? undefined : v), Id.optional()),
  justification: z.string().trim().min(10, "at least 10 characters").max(2000),
  _csrf: z.string().optional(),
});

const SweepForm = z.intersection(DateRange(MAX_SWEEP_DAYS), z.object({ _csrf: z.string().optional() }));

/** The whole of a sweep as its page shows it (percent done included). */
function sweepView(p: SweepProgress) {
  const finished = p.items.done + p.items.failed;
  return {
    ...p,
    percent: p.total === 0 ? 100 : Math.floor((finished / p.total) * 100),
    reasons: Object.entries(p.results.exceptionsByReason).sort((a, b) => b[1] - a[1]),
    inboxHref: `/inbox?sweep=${encodeURIComponent(p.id)}`,
    auditHref: `/audit?actor=${encodeURIComponent("agent:")}&from=${p.createdAt.slice(0, 10)}${p.finishedAt === null ? "" : `&to=${p.finishedAt.slice(0, 10)}`}`,
  };
}

async function routes(app: FastifyInstance): Promise<void> {
  const agentsPage = async (request: FastifyRequest, reply: FastifyReply, extra: { refused?: Refusal; status?: number; flash?: { kind: "ok" | "error"; text: string } } = {}) => {
    const pool = app.db.pool;
    const policy = app.runtime.policy;
    const now = new Date();
    const agents = await Promise.all(app.runtime.registry.list().map(async (def) => {
      const types = def.actionTypes.map((a) => a.type);
      const phases = await currentPhases(pool, def.id, ["*", ...types]);
      const target = async (actionType: string | undefined) => {
        const phase = phases.get(actionType ?? "*") ?? "advisory";
        const record = await agentRecord(pool, def.id, policy, now, actionType);
        const next = nextPhase(phase);
        return { phase, record, next, criteria: next === null ? [] : criteriaProgress(record, next, policy), unmet: next === null ? [] : unmetCriteria(record, next, policy) };
      };
      return {
        id: def.id, title: def.title, description: def.description,
        whole: await target(undefined),
        actionTypes: await Promise.all(def.actionTypes.map(async (a) => ({
          type: a.type, description: a.description, humanOnly: a.humanOnly, threshold: a.threshold, ...(await target(a.type)),
        }))),
      };
    }));
    const query = request.query as { changed?: string } | undefined;
    const flash = extra.flash ?? (typeof query?.changed === "string" ? { kind: "ok" as const, text: `Phase changed: ${query.changed.slice(0, 200)}` } : undefined);
    return reply.page("admin/agents", { agents, policy, refused: extra.refused ?? null, phases: Phase.options }, { title: "Agents and autonomy", status: extra.status, flash });
  };

  app.get("/admin/agents", { config: ADMIN, schema: { hide: true, querystring: z.object({ changed: z.string().max(300).optional() }) } }, (request, reply) => agentsPage(request, reply));

  app.post<{ Params: { id: string } }>("/admin/agents/:id/autonomy", {
    config: ADMIN, schema: { hide: true, params: z.object({ id: Id }), body: PhaseForm },
  }, async (request, reply) => {
    const form = request.body as z.infer<typeof PhaseForm>;
    const id = request.params.id;
    if (form.actionType !== undefined) app.runtime.registry.actionType(id, form.actionType);
    else app.runtime.registry.get(id);
    const session = request.consoleSession;
    if (session === null) throw new UnavailableError("No session");
    try {
      const result = await changePhase(app.db.pool, {
        agent: id, actionType: form.actionType, phase: form.phase, justification: form.justification, actor: userActor(session.user),
      }, app.runtime.policy, new Date());
      const what = `${id}${form.actionType === undefined ? "" : ` ${form.actionType}`} ${result.from} → ${result.to}`;
      return reply.redirect(`/admin/agents?changed=${encodeURIComponent(what)}`, 303);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const unmet = ((error.details as { unmet?: string[] } | undefined)?.unmet) ?? [error.message];
      return agentsPage(request, reply, {
        status: 409,
        refused: { agent: id, actionType: form.actionType ?? "*", requested: form.phase, unmet },
        flash: { kind: "error", text: `Promotion of ${id} to ${form.phase} refused: the record does not meet every criterion yet.` },
      });
    }
  });

  app.get("/admin/data", { config: ADMIN, schema: { hide: true } }, async (_request, reply) => {
    const data = app.referenceData;
    if (data === null) {
      return reply.page("admin/data", { available: false }, { title: "Data status" });
    }
    const files = data.loaded();
    return reply.page("admin/data", {
      available: true,
      quarterInForce: quarterOf(data.today()).quarter,
      asp: files.filter((f) => f.kind === "asp"),
      crosswalk: files.filter((f) => f.kind === "crosswalk"),
      edits: data.codeEdits(),
      alerts: data.alerts(),
    }, { title: "Data status" });
  });

  app.get("/admin/sweeps", { config: ADMIN, schema: { hide: true } }, async (_request, reply) => {
    const today = new Date().toISOString().slice(0, 10);
    return reply.page("admin/sweeps", {
      sweeps: await listSweeps(app.db.pool, 20),
      running: app.sweeps?.running === true,
      from: today, to: addDays(today, 6), maxDays: MAX_SWEEP_DAYS,
    }, { title: "Sweeps" });
  });

  app.post("/admin/sweeps", { config: ADMIN, schema: { hide: true, body: SweepForm } }, async (request, reply) => {
    const form = request.body as { from: string; to: string };
    if (app.sweeps === null || !app.sweeps.running) throw new UnavailableError("The sweep queue is not running; try again shortly");
    const session = request.consoleSession;
    if (session === null) throw new UnavailableError("No session");
    const { id } = await app.sweeps.startSweep({ from: form.from, to: form.to, kind: "manual", requestedBy: userActor(session.user) });
    return reply.redirect(`/admin/sweeps/${encodeURIComponent(id)}`, 303);
  });

  app.get<{ Params: { id: string } }>("/admin/sweeps/:id", { config: ADMIN, schema: { hide: true, params: z.object({ id: Id }) } }, async (request, reply) => {
    const progress = await sweepProgress(app.db.pool, request.params.id);
    if (progress === null) throw new NotFoundError(`No sweep ${request.params.id}`);
    const view = { sweep: sweepView(progress) };
    if (request.headers["hx-request"] !== undefined) {
      return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(app.consoleRenderer.fragment("admin/sweep-progress", view));
    }
    return reply.page("admin/sweep", view, { title: `Sweep ${progress.from} to ${progress.to}` });
  });
}

export const adminPages: ConsoleArea = {
  name: "admin",
  nav: [
    { href: "/admin/agents", label: "Autonomy", roles: ["admin"], group: "Admin" },
    { href: "/admin/data", label: "Data status", roles: ["admin"], group: "Admin" },
    { href: "/admin/sweeps", label: "Sweeps", roles: ["admin"], group: "Admin" },
  ],
  routes,
};
