/**
 * The pre-bill agent's id, work item and idempotency keys. Its work item is a visit whose charges
 * are captured — work item type `claim`, id the visit's encounter id — or a batch of them (the
 * batch's encounter ids in `appointments`, the field the shared batch helpers read, as a sweep
 * sends them).
 */
import type { StepContext } from "../../src/orchestration/audit-recorder.js";

/** The agent id (audit log, autonomy, claims). */
export const PRE_BILL_AGENT = "pre-bill";

/** Where a node's audit entries on one visit belong: the visit's claim. */
export const claimStep = (state: { runId: string; workItem: { id: string } }, node: string): StepContext => ({
  runId: state.runId, agent: PRE_BILL_AGENT, node, subject: { type: "claim", id: state.workItem.id },
});

/** The stable idempotency key of an action on one visit's claim: a re-run never acts twice. */
export const claimActionKey = (visitId: string, action: "correct" | "submit" | "query", part?: string) =>
  `pre-bill:${visitId}:${action}${part === undefined ? "" : `:${part}`}`;
