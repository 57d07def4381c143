/** Agents: phase, thresholds and record; promotion and demotion (admin only). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AgentRecord, Phase, agentRecord, changePhase, currentPhase, unmetCriteria } from "../../governance/autonomy.js";
import { editableFields } from "../../orchestration/edits.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";

const AgentView = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  phase: Phase.describe("The agent's default phase"),
  actionTypes: z.array(z.object({
    type: z.string(), description: z.string(), humanOnly: z.boolean(), threshold: z.number(), phase: Phase,
    editable: z.array(z.string()).describe("The payload's fields a person may change in a review"),
  })),
  record: AgentRecord,
  promotion: z.object({
    next: Phase.nullable().describe("The phase a promotion would move to"),
    unmet: z.array(z.string()).describe("Criteria the record does not meet yet"),
  }),
});

export const agentRoutes: FastifyPluginAsyncZod = async (app) => {
  const view = async (id: string): Promise<z.infer<typeof AgentView>> => {
    const def = app.runtime.registry.get(id).definition;
    const pool = app.db.pool;
    const now = new Date();
    const phase = await currentPhase(pool, id, "*");
    const record = await agentRecord(pool, id, app.runtime.policy, now);
    const next = phase === "advisory" ? "partial" : phase === "partial" ? "full" : null;
    return {
      id, title: def.title, description: def.description, phase, record,
      actionTypes: await Promise.all(def.actionTypes.map(async (a) => ({
        type: a.type, description: a.description, humanOnly: a.humanOnly, threshold: a.threshold, phase: await currentPhase(pool, id, a.type),
        editable: editableFields(a),
      }))),
      promotion: { next, unmet: next === null ? [] : unmetCriteria(record, next, app.runtime.policy) },
    };
  };

  app.get("/agents", {
    config: { roles: ["staff", "council", "admin", "service"] },
    schema: {
      tags: ["agents"], summary: "Every agent with its phase, thresholds and record", security: [{ bearerAuth: [] }],
      response: { 200: z.object({ agents: z.array(AgentView) }), ...authErrorResponses },
    },
  }, async () => ({ agents: await Promise.all(app.runtime.registry.list().map((d) => view(d.id))) }));

  app.post("/agents/:id/autonomy", {
    config: { roles: ["admin"] },
    schema: {
      tags: ["agents"],
      summary: "Promote or demote an agent (or one of its action types)",
      description: "A promotion the record does not support is refused (409) with the unmet criteria. Every change is audited.",
      security: [{ bearerAuth: [] }],
      params: z.object({ id: z.string() }),
      body: z.object({
        phase: Phase,
        justification: z.string().trim().min(10).max(2000).describe("Why; kept in the audit log"),
        actionType: z.string().optional().describe("Only this action type; default: the whole agent"),
      }),
      response: { 200: AgentView, 404: ProblemDetails, 409: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => {
    const id = request.params.id;
    if (request.body.actionType !== undefined) app.runtime.registry.actionType(id, request.body.actionType);
    else app.runtime.registry.get(id);
    await changePhase(app.db.pool, {
      agent: id, actionType: request.body.actionType, phase: request.body.phase,
      justification: request.body.justification, actor: `key:${request.principal?.keyId ?? "unknown"}`,
    }, app.runtime.policy, new Date());
    return view(id);
  });
};
