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

export const AuditEntryView = z.object({
  seq: z.number().int(),
  id: z.string(),
  at: z.string(),
  kind: z.string(),
  actor: z.string(),
  runId: z.string().nullable(),
  agent: z.string().nullable(),
  node: z.string().nullable(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  payload: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
