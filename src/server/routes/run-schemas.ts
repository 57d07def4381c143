/** Response schemas shared by the run and review routes. */
import { z } from "zod";

export const RunView = z.object({
  id: z.string(),
  agent: z.string(),
  subject: z.object({ type: z.string(), id: z.string() }),
  status: z.enum(["running", "waiting", "completed", "failed"]),
  error: z.string().nullable(),
  result: z.unknown(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Audit entries as the API shows them: the stored entry, hash chain included. */
export { AuditEntry as AuditEntryView } from "../../governance/audit-log.js";
