/**
 * Payer rule overlays over HTTP: the rules in force (any role), a rule's versions (any role), and
 * adding, changing and ending rules (admin) — each change a new version with its reason, audited.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  ChangeReason, PayerId, PayerRuleFields, PayerRuleInfo, createPayerRule, endPayerRule, listPayerRules, payerRuleHistory, updatePayerRule,
} from "../../reference-data/payer-rules.js";
import { ROLES, actorOf } from "../auth/api-keys.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";
import { Id, IsoDate } from "./fields.js";

const Rules = z.object({ rules: z.array(PayerRuleInfo) });
const RuleId = z.object({ id: Id.describe("The payer rule's id") });

export const payerRuleRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/payer-rules", {
    config: { roles: ROLES },
    schema: {
      tags: ["payer-rules"], summary: "Payer rule overlays in force (the version in force of each), by payer and date of service", security: [{ bearerAuth: [] }],
      querystring: z.object({
        payer: PayerId.optional().describe("Only this payer's rules"),
        on: IsoDate.optional().describe("Only rules applying on this date of service"),
      }),
      response: { 200: Rules, ...authErrorResponses },
    },
  }, async (request) => ({ rules: await listPayerRules(app.db.pool, { payerId: request.query.payer, on: request.query.on }) }));

  app.get("/payer-rules/:id", {
    config: { roles: ROLES },
    schema: {
      tags: ["payer-rules"], summary: "A payer rule's versions, newest first: what it said, from when, who changed it and why", security: [{ bearerAuth: [] }],
      params: RuleId,
      response: { 200: z.object({ versions: z.array(PayerRuleInfo) }), 404: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => ({ versions: await payerRuleHistory(app.db.pool, request.params.id) }));

  app.post("/payer-rules", {
    config: { roles: ["admin"] },
    schema: {
      tags: ["payer-rules"], summary: "Add a payer rule (version 1); audited",
      description: "A rule contradicting one in force on a shared date (requires-jw-jz and waives-jw-jz), or repeating one, is refused (409).",
      security: [{ bearerAuth: [] }],
      body: PayerRuleFields.and(z.object({ payerId: PayerId, reason: ChangeReason.optional() })),
      response: { 201: PayerRuleInfo, 409: ProblemDetails, ...authErrorResponses },
    },
  }, async (request, reply) => {
    const { payerId, reason, ...fields } = request.body;
    const created = await createPayerRule(app.db.pool, { payerId, fields: PayerRuleFields.parse(fields), reason: reason ?? "New rule" }, actorOf(request.principal), new Date());
    request.log.info({ payerRuleId: created.id, payerId, ruleKind: created.kind }, "payer rule created");
    return reply.code(201).send(created);
  });

  app.put("/payer-rules/:id", {
    config: { roles: ["admin"] },
    schema: {
      tags: ["payer-rules"], summary: "Change a payer rule: the version in force is superseded and the next recorded, with the reason; audited",
      description: "The payer and the kind stay (a different rule is a new rule). expectedVersion, when sent, must be the version in force (409 otherwise).",
      security: [{ bearerAuth: [] }],
      params: RuleId,
      body: PayerRuleFields.and(z.object({ reason: ChangeReason, expectedVersion: z.number().int().min(1).optional() })),
      response: { 200: PayerRuleInfo, 404: ProblemDetails, 409: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => {
    const { reason, expectedVersion, ...fields } = request.body;
    const changed = await updatePayerRule(app.db.pool, request.params.id, { fields: PayerRuleFields.parse(fields), reason, expectedVersion }, actorOf(request.principal), new Date());
    request.log.info({ payerRuleId: changed.id, version: changed.version }, "payer rule changed");
    return changed;
  });

  app.delete("/payer-rules/:id", {
    config: { roles: ["admin"] },
    schema: {
      tags: ["payer-rules"], summary: "End a payer rule as of a date (its last date of service); nothing is erased; audited",
      security: [{ bearerAuth: [] }],
      params: RuleId,
      body: z.object({ effectiveTo: IsoDate.describe("The last date of service the rule applies to"), reason: ChangeReason }),
      response: { 200: PayerRuleInfo, 404: ProblemDetails, 409: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => {
    const ended = await endPayerRule(app.db.pool, request.params.id, request.body, actorOf(request.principal), new Date());
    request.log.info({ payerRuleId: ended.id, version: ended.version }, "payer rule ended");
    return ended;
  });
};
