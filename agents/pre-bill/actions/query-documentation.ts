/**
 * `query-documentation` (human-only): a question to the nurse or physician, as a task in the
 * EHR's worklist, when the record cannot support a line. The question is editable; the findings
 * it asks about are the tools'.
 */
import { z } from "zod";
import type { ActionTypeDefinition } from "../../../src/orchestration/agent-definition.js";
import type { PreBillDeps } from "../deps.js";
import { FindingPayload } from "./finding-payload.js";

export const QueryDocumentationPayload = z.object({
  visitId: z.string(),
  claimId: z.string(),
  patientId: z.string(),
  to: z.enum(["nurse", "physician"]),
  findings: z.array(FindingPayload).min(1),
  question: z.string().min(1).max(4000),
});
export type QueryDocumentationPayload = z.infer<typeof QueryDocumentationPayload>;

export const QueryDocumentationEdit = z.strictObject({
  question: z.string().trim().min(1).max(4000).describe("The question as the nurse or physician reads it"),
}).partial();

export function queryDocumentationAction(): ActionTypeDefinition<QueryDocumentationPayload, PreBillDeps> {
  return {
    type: "query-documentation",
    description: "Ask the nurse or physician to document what a claim line needs (a task in the EHR worklist)",
    humanOnly: true,
    threshold: 1,
    payloadSchema: QueryDocumentationPayload,
    editSchema: QueryDocumentationEdit,
    async execute(payload, _ctx, deps) {
      const taskId = await deps.ehr.createTask({
        patientId: payload.patientId, focusRef: `Encounter/${payload.visitId}`,
        code: `pre-bill:query-${payload.to}`, description: payload.question, dueBy: null,
      });
      return { taskId, to: payload.to, findings: payload.findings.map((f) => f.code) };
    },
  };
}
