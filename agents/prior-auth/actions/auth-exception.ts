/**
 * `auth-exception`: a Task in the staff's EHR worklist naming what needs attention before the
 * visit (authorization expired, units exhausted, diagnosis mismatch, denied, lapsing before the
 * next cycle), due before the date of service.
 */
import { z } from "zod";
import type { ActionTypeDefinition } from "../../../src/orchestration/agent-definition.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { ExceptionReason } from "../../shared/pre-service-checks.js";

export const AuthExceptionPayload = z.object({
  appointmentId: z.string(),
  patientId: z.string(),
  hcpcs: z.string(),
  drug: z.string(),
  reasons: z.array(ExceptionReason).min(1).describe("What is wrong with the authorization"),
  description: z.string().min(1).describe("What staff should do, in the worklist's words"),
  dueBy: z.string().nullable().describe("ISO time the task is due (before the date of service)"),
});
export type AuthExceptionPayload = z.infer<typeof AuthExceptionPayload>;

/** What staff may change: what the task tells them to do (the drug, reasons and due date stay the tools'). */
export const AuthExceptionEdit = z.strictObject({
  description: z.string().trim().min(1).max(2000).describe("What staff should do, in the worklist's words"),
}).partial();

/** The action type. */
export function authExceptionAction(): ActionTypeDefinition<AuthExceptionPayload, PreServiceDeps> {
  return {
    type: "auth-exception",
    description: "Create a staff task in the EHR for an authorization problem before the visit",
    humanOnly: false,
    threshold: 0.9,
    payloadSchema: AuthExceptionPayload,
    editSchema: AuthExceptionEdit,
    async execute(payload, _ctx, deps) {
      const taskId = await deps.ehr.createTask({
        patientId: payload.patientId, focusRef: `Appointment/${payload.appointmentId}`,
        code: `prior-auth:${payload.reasons.join("+")}`, description: payload.description, dueBy: payload.dueBy,
      });
      return { taskId, reasons: payload.reasons };
    },
  };
}
