/**
 * `submit-auth-request`: sends the drafted 278 (the PAS bundle is kept with it; both carry the
 * justification as it stands after any edit, rebuilt from it) through the clearinghouse, stores it in `authorization_requests` under the action's idempotency key, and
 * applies the payer's answer: A1/A6 add the authorization to the ledger, A4 schedules a follow-up.
 * A retried action finds its stored request and re-sends that same 278, never a second one.
 */
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { ActionTypeDefinition } from "../../../src/orchestration/agent-definition.js";
import { editRefused } from "../../../src/orchestration/edits.js";
import { AuthRequest278 } from "../../../tools/edi/readers/request-278.js";
import { write278Request } from "../../../tools/edi/writers/authorization.js";
import { insertAuthorizationRequest } from "../../../tools/payer/authorization-ledger.js";
import { withPasJustification } from "../../../tools/payer/pas-bundle.js";
import { codeKey, codesInText } from "../../../tools/verification/clinical-claims.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { sendAuthorizationRequest, type AuthSubmissionResult } from "../auth-response.js";
import { x12Messages } from "../nodes/draft-requests.js";
import { ClinicalJustification, justificationSummary } from "../note-extraction.js";

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

/**
 * What staff may change: the clinical justification, field by field (the drug, units, dates,
 * diagnoses and parties stay the tools'). `summary` is the text the 278's MSG segments and the PAS
 * Claim carry; an edit of other fields without one rebuilds it from the fields.
 */
export const SubmitAuthRequestEdit = z.strictObject({
  justification: z.strictObject(ClinicalJustification.shape).partial()
    .describe("The justification's fields to change; `summary` is the text sent to the payer"),
}).partial();
export type SubmitAuthRequestEdit = z.infer<typeof SubmitAuthRequestEdit>;

/**
 * The payload with everything derived from its justification rebuilt from it: the 278's MSG
 * segments and the PAS bundle's justification. What is sent always derives from the
 * justification, edited or not.
 */
export function withDerivedDocuments(payload: SubmitAuthRequestPayload): SubmitAuthRequestPayload {
  const text = payload.justification.summary;
  return { ...payload, request: { ...payload.request, messages: x12Messages(text) }, pasBundle: withPasJustification(payload.pasBundle, text) };
}

/**
 * Applies a person's edit of the justification: the summary rebuilt from the fields when only
 * they changed, and the tools' check that every diagnosis code it names (in `diagnosis.icd10` or
 * written in the text) is on the order — the 278 carries the order's diagnoses. Then the derived
 * documents are rebuilt.
 */
export function applyJustificationEdit(payload: SubmitAuthRequestPayload, edit: SubmitAuthRequestEdit): SubmitAuthRequestPayload {
  const changed = edit.justification ?? {};
  const merged = { ...payload.justification, ...changed };
  const justification = changed.summary === undefined && Object.keys(changed).length > 0 ? { ...merged, summary: justificationSummary(merged) } : merged;
  const onOrder = new Set(payload.request.diagnoses.map(codeKey));
  const outside = (codes: string[]) => codes.filter((c) => !onOrder.has(codeKey(c)));
  const refuse = (field: string, codes: string[]) => {
    throw editRefused(field, `names ${codes.join(", ")}, not among the order's diagnoses (${payload.request.diagnoses.join(", ")})`);
  };
  const named = outside(justification.diagnosis?.icd10 ?? []);
  if (changed.diagnosis !== undefined && named.length > 0) refuse("justification.diagnosis.icd10", named);
  const written = outside(codesInText(justification.summary));
  if (written.length > 0 && justification.summary !== payload.justification.summary) refuse("justification.summary", written);
  return withDerivedDocuments({ ...payload, justification });
}

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
    editSchema: SubmitAuthRequestEdit,
    applyEdit: (payload, edit) => applyJustificationEdit(payload, edit as SubmitAuthRequestEdit),
    async execute(drafted, ctx, deps): Promise<AuthSubmissionResult> {
      const { pool, now } = ctx.services;
      const payload = withDerivedDocuments(drafted);
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
