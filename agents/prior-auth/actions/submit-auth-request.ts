/**
 * `submit-auth-request`: sends the drafted 278 (the PAS bundle is kept with it) through the
 * clearinghouse, stores it in `authorization_requests` under the action's idempotency key, and
 * applies the payer's answer: A1/A6 add the authorization to the ledger, A4 schedules a follow-up.
 * A retried action finds its stored request and re-sends that same 278, never a second one.
 */
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { ActionTypeDefinition } from "../../../src/orchestration/agent-definition.js";
import { AuthRequest278 } from "../../../tools/edi/readers/request-278.js";
import { write278Request } from "../../../tools/edi/writers/authorization.js";
import { insertAuthorizationRequest } from "../../../tools/payer/authorization-ledger.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { sendAuthorizationRequest, type AuthSubmissionResult } from "../auth-response.js";
import { ClinicalJustification } from "../note-extraction.js";

/** The payload staff review (and may edit): the 278's fields, the PAS bundle and the justification. */
export const SubmitAuthRequestPayload = z.object({
  appointmentId: z.string().describe("The visit the request is for"),
  patientId: z.string(),
  payerId: z.string(),
  memberId: z.string(),
  hcpcs: z.string().describe("The drug's HCPCS code"),
  drug: z.string(),
  dateOfService: z.string().describe("The visit's date (YYYY-MM-DD)"),
  doseUnits: z.number().int().nonnegative().describe("Billing units of this visit's dose, drawn from the authorization once certified"),
  kind: z.enum(["initial", "reauthorization"]),
  requestedAt: z.string().describe("When the request was drafted (ISO); stamps the 278"),
  request: AuthRequest278.extend({ trace: z.string().min(1).max(50) }).describe("The 278 request's fields"),
  pasBundle: z.record(z.string(), z.unknown()).describe("The equivalent Da Vinci PAS request Bundle"),
  justification: ClinicalJustification,
});
export type SubmitAuthRequestPayload = z.infer<typeof SubmitAuthRequestPayload>;

/** A control number (ISA13/GS06) derived from the trace, so a re-drafted 278 is byte-identical. */
const controlFor = (trace: string) => (Number.parseInt(createHash("sha256").update(trace).digest("hex").slice(0, 8), 16) % 999_999_998) + 1;

/** The action type: stores the request and the payer's answer with the platform's pool and clock. */
export function submitAuthRequestAction(): ActionTypeDefinition<SubmitAuthRequestPayload, PreServiceDeps> {
  return {
    type: "submit-auth-request",
    description: "Submit a prior-authorization request (X12 278, with the equivalent FHIR PAS bundle) to the payer",
    humanOnly: false,
    threshold: 0.9,
    payloadSchema: SubmitAuthRequestPayload,
    async execute(payload, ctx, deps): Promise<AuthSubmissionResult> {
      const { pool, now } = ctx.services;
      const control = controlFor(payload.request.trace);
      const x12 = write278Request(payload.request, {
        senderId: deps.clinic.npi, receiverId: payload.payerId, interchangeControl: control, groupControl: control, now: new Date(payload.requestedAt),
      });
      const stored = await insertAuthorizationRequest(pool, {
        id: randomUUID(), idempotencyKey: ctx.idempotencyKey, appointmentId: payload.appointmentId, patientId: payload.patientId,
        payerId: payload.payerId, memberId: payload.memberId, hcpcs: payload.hcpcs,
        units: payload.request.services[0]?.quantity ?? payload.doseUnits, trace: payload.request.trace, x12Request: x12, pasBundle: payload.pasBundle,
      }, now());
      if (stored.status !== "submitted") {
        // Answered already (a retry after the answer was stored): report it, send nothing.
        return {
          requestId: stored.id, trace: stored.trace, status: stored.status, action: null, authNumber: stored.authNumber,
          certifiedFrom: null, certifiedTo: null, unitsApproved: null, nextCheckOn: stored.nextCheckOn, messages: [],
        };
      }
      return sendAuthorizationRequest(pool, deps.clearinghouse, stored, {
        appointmentId: payload.appointmentId, dateOfService: payload.dateOfService, units: payload.doseUnits, diagnosisCodes: payload.request.diagnoses,
      }, now());
    },
  };
}
