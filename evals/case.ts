/**
 * A labelled evaluation case: an appointment in the evaluation clinic and what is true of it.
 * `judged` names the exception reasons the case's source knows the truth of — generated cases
 * know what the generator planted; hand-written cases label every reason they are about.
 */
import { z } from "zod";
import { ExceptionReason } from "../agents/shared/pre-service-checks.js";

export const EvalCase = z.object({
  id: z.string().min(1),
  source: z.enum(["generated", "hand-written"]),
  appointmentId: z.string().min(1),
  description: z.string().min(1),
  expected: z.object({
    reasons: z.array(ExceptionReason).describe("The exceptions the agent must raise (among `judged`)"),
    judged: z.array(ExceptionReason).min(1).describe("Reasons this case is scored on"),
    coverageActive: z.boolean().nullable().optional(),
    routes: z.record(z.string(), z.enum(["medical", "pharmacy"])).optional().describe("Benefit route per HCPCS"),
    deductibleRemaining: z.string().optional(),
    drugs: z.array(z.object({ hcpcs: z.string(), authRequired: z.boolean(), authValid: z.boolean().nullable() })).optional(),
  }),
});
export type EvalCase = z.infer<typeof EvalCase>;

/** Validates a case list (hand-written files are data: they are checked like any input). */
export function validateCases(cases: unknown[], source: string): EvalCase[] {
  return cases.map((c, i) => {
    const parsed = EvalCase.safeParse(c);
    if (!parsed.success) throw new Error(`${source} case ${i}: ${parsed.error.issues.map((x) => `${x.path.join(".")} ${x.message}`).join("; ")}`);
    return parsed.data;
  });
}
