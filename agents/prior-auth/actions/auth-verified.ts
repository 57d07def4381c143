/**
 * `auth-verified`: records that an approved authorization covers the visit's dose (date, units,
 * diagnosis, next cycle). The executed action is the record; the units were drawn in the ledger
 * when the check was recorded. Lets clean appointments run without a person once earned.
 */
import { z } from "zod";
import type { ActionTypeDefinition } from "../../../src/orchestration/agent-definition.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";

export const AuthVerifiedPayload = z.object({
  appointmentId: z.string(),
  patientId: z.string(),
  payerId: z.string(),
  hcpcs: z.string(),
  drug: z.string(),
  authNumber: z.string().describe("The authorization confirmed"),
  dateOfService: z.string(),
  units: z.number().int().nullable().describe("Units of this dose drawn from it"),
  remainingAfterDose: z.number().int().nullable(),
});
export type AuthVerifiedPayload = z.infer<typeof AuthVerifiedPayload>;

/** The action type. */
export function authVerifiedAction(): ActionTypeDefinition<AuthVerifiedPayload, PreServiceDeps> {
  return {
    type: "auth-verified",
    description: "Confirm that an approved authorization covers the visit's dose",
    humanOnly: false,
    threshold: 0.95,
    payloadSchema: AuthVerifiedPayload,
    // A record of what the tools found: nothing in it is a person's to change (accept or ignore it).
    editSchema: z.strictObject({}),
    async execute(payload) {
      return { verified: true, authNumber: payload.authNumber, remainingAfterDose: payload.remainingAfterDose };
    },
  };
}
