/**
 * The eligibility agent's actions: file a verification in the chart, and raise an exception to
 * staff. Exceptions are human-only: a lapsed coverage or a drug on the wrong benefit needs a
 * person to call the patient, the payer or the pharmacy, whatever the agent's autonomy.
 */
import { z } from "zod";
import type { ActionTypeDefinition } from "../../src/orchestration/agent-definition.js";
import { editRefused } from "../../src/orchestration/edits.js";
import { VerificationWriteBack } from "../../tools/ehr/ehr-types.js";
import { ExceptionReason } from "../shared/pre-service-checks.js";
import type { PreServiceDeps } from "../shared/pre-service-deps.js";

/** A field staff need to look at, with what the agent found. */
export const AttentionField = z.object({
  field: z.string().describe("What needs attention, e.g. coverage, benefit route J9271"),
  found: z.string().describe("What the payer or the chart says"),
  expected: z.string().describe("What a clean visit needs"),
});

/** Payload of an eligibility exception: becomes a Task in the EHR worklist when accepted. */
export const EligibilityException = z.object({
  appointmentId: z.string(),
  patientId: z.string(),
  dateOfService: z.string(),
  reasons: z.array(ExceptionReason).min(1),
  fields: z.array(AttentionField).min(1),
  description: z.string().min(1).describe("What staff should do"),
});
export type EligibilityException = z.infer<typeof EligibilityException>;

/** What staff may change in a verification: the line they read in the chart (the 271's facts stay the tools'). */
export const VerificationEdit = z.strictObject({
  disposition: z.string().trim().min(1).max(500).describe("The line staff read in the chart"),
}).partial();

/** What staff may change in an exception: what the worklist task tells them to do (the reasons and fields stay the rules'). */
export const ExceptionEdit = z.strictObject({
  description: z.string().trim().min(1).max(2000).describe("What staff should do"),
}).partial();

/**
 * What a disposition may not say: coverage active when the payer's 271 did not confirm it
 * (`inforce` is not true), or inactive when it did — the line staff read must agree with the
 * 271's facts written beside it, as the agent's own drafts do.
 */
export function dispositionContradiction(inforce: boolean | null, text: string): string | null {
  const t = text.toLowerCase();
  const saysInactive = /\b(?:inactive|not active|no longer active|terminated|lapsed)\b/.test(t);
  const saysActive = /\bactive\b/.test(t.replace(/\b(?:inactive|not active|no longer active)\b/g, ""));
  if (inforce !== true && saysActive) return `says active, but the payer's 271 did not confirm coverage in force (${inforce === false ? "not in force" : "not stated"})`;
  if (inforce === true && saysInactive) return "says inactive, but the payer's 271 confirmed coverage in force";
  return null;
}

export const FILE_VERIFICATION = "file-verification";
export const ELIGIBILITY_EXCEPTION = "eligibility-exception";

export const eligibilityActions: ActionTypeDefinition<never, PreServiceDeps>[] = [
  {
    type: FILE_VERIFICATION,
    description: "Write the verified coverage and benefits back to the chart (CoverageEligibilityResponse)",
    humanOnly: false,
    threshold: 0.95,
    payloadSchema: VerificationWriteBack,
    editSchema: VerificationEdit,
    applyEdit: (payload: VerificationWriteBack, edit: Record<string, unknown>) => {
      const edited = { ...payload, ...(edit as z.infer<typeof VerificationEdit>) };
      const contradiction = dispositionContradiction(edited.inforce, edited.disposition);
      if (contradiction !== null) throw editRefused("disposition", contradiction);
      return edited;
    },
    execute: async (payload: VerificationWriteBack, _ctx, deps) => ({ verificationId: await deps.ehr.writeVerification(payload) }),
  } satisfies ActionTypeDefinition<VerificationWriteBack, PreServiceDeps>,
  {
    type: ELIGIBILITY_EXCEPTION,
    description: "Put an eligibility exception on the staff worklist (EHR Task) with the fields that need attention",
    humanOnly: true,
    threshold: 1,
    payloadSchema: EligibilityException,
    editSchema: ExceptionEdit,
    execute: async (payload: EligibilityException, _ctx, deps) => ({
      taskId: await deps.ehr.createTask({
        patientId: payload.patientId, focusRef: `Appointment/${payload.appointmentId}`, code: ELIGIBILITY_EXCEPTION,
        description: `${payload.description} — ${payload.fields.map((f) => `${f.field}: ${f.found} (needs ${f.expected})`).join("; ")}`,
        dueBy: null,
      }),
    }),
  } satisfies ActionTypeDefinition<EligibilityException, PreServiceDeps>,
] as never;
