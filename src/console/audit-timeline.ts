/**
 * How the console shows an audit entry: a one-line title and the facts its payload holds, read
 * by kind — the step of a run, a tool call (tool, time, error), a model call (provider, model,
 * prompt and its version, tokens, outcome), the agent's decision, the gate's verdict, a review
 * and its outcome with each edited field's before → after, an action executed or failed, a phase
 * change. Anything else shows its payload as JSON. Values are text: the view escapes them.
 */
import type { AuditEntry } from "../governance/audit-log.js";
import { canonicalJson } from "../governance/canonical-json.js";

/** One edited field, before and after (JSON text). */
export interface ShownChange {
  field: string;
  before: string;
  after: string;
}

/** An entry as the timeline and the explorer show it. */
export interface ShownEntry {
  seq: number;
  at: string;
  kind: string;
  actor: string;
  agent: string | null;
  node: string | null;
  runId: string | null;
  subject: string | null;
  title: string;
  facts: [string, string][];
  changes: ShownChange[];
  /** The payload as JSON (shown folded). */
  payload: string;
}

type Payload = Record<string, unknown>;

const text = (value: unknown): string =>
  value === undefined || value === null ? "—" : typeof value === "string" ? value : canonicalJson(value as never);

/** Keeps the facts whose value is present. */
function facts(pairs: [string, unknown][]): [string, string][] {
  return pairs.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => [k, text(v)]);
}

function describe(kind: string, p: Payload): { title: string; facts: [string, string][]; changes: ShownChange[] } {
  const none: ShownChange[] = [];
  switch (kind) {
    case "node.step":
      return { title: `Step ${text(p.graph)}`, facts: facts([["updated", Array.isArray(p.updated) ? p.updated.join(", ") : p.updated]]), changes: none };
    case "tool.request":
    case "tool.call": {
      const error = p.error as Payload | undefined;
      return {
        title: `${kind === "tool.request" ? "Tool request" : "Tool call"}: ${text(p.tool)}`,
        facts: facts([["time", p.ms === undefined ? undefined : `${text(p.ms)} ms`], ["error", error === undefined ? undefined : `${text(error.name)}: ${text(error.message)}`]]),
        changes: none,
      };
    }
    case "model.call":
      return {
        title: `Model call: ${text(p.provider)} ${text(p.model)}`,
        facts: facts([
          ["prompt", p.promptId === undefined ? undefined : `${text(p.promptId)} version ${text(p.promptVersion)}`],
          ["prompt hash", p.promptHash], ["tokens", p.inputTokens === undefined ? undefined : `${text(p.inputTokens)} in, ${text(p.outputTokens)} out`],
          ["latency", p.latencyMs === undefined ? undefined : `${text(p.latencyMs)} ms`], ["attempts", p.attempts], ["outcome", p.outcome],
          ["repaired", p.repaired === true ? "yes" : undefined],
        ]),
        changes: none,
      };
    case "decision":
      return {
        title: `Decision: ${text(p.actionType)}`,
        facts: facts([["summary", p.summary], ["confidence", p.confidence], ["rationale", p.rationale], ["model", p.modelProvider], ["human-only because", p.humanOnlyReason]]),
        changes: none,
      };
    case "gate.verdict":
      return {
        title: `Gate: ${text(p.verdict)} (${text(p.actionType)})`,
        facts: facts([["phase", p.phase], ["confidence", p.confidence], ["threshold", p.threshold], ["reason", p.reason]]),
        changes: none,
      };
    case "review.created":
      return { title: `Review created: ${text(p.actionType)}`, facts: facts([["review", p.reviewId], ["reason", p.reason], ["due", p.dueBy]]), changes: none };
    case "review.decided": {
      const changes = Array.isArray(p.changes)
        ? (p.changes as Payload[]).map((c) => ({ field: text(c.field), before: text(c.before), after: text(c.after) }))
        : none;
      return {
        title: `Review decided: ${text(p.decision)} (${text(p.actionType)})`,
        facts: facts([["review", p.reviewId], ["response", p.response], ["reason", p.reason]]),
        changes,
      };
    }
    case "action.executed":
    case "action.failed":
    case "action.skipped":
      return { title: `Action ${kind.slice("action.".length)}: ${text(p.actionType)}`, facts: facts([["idempotency key", p.idempotencyKey], ["error", p.error], ["reason", p.reason]]), changes: none };
    case "autonomy.changed":
      return { title: `Phase changed: ${text(p.from)} → ${text(p.to)} (${text(p.actionType)})`, facts: facts([["justification", p.justification]]), changes: none };
    case "autonomy.refused":
      return {
        title: `Promotion refused: ${text(p.from)} → ${text(p.requested)} (${text(p.actionType)})`,
        facts: facts([["justification", p.justification], ["unmet", Array.isArray(p.unmet) ? p.unmet.join("; ") : p.unmet]]),
        changes: none,
      };
    case "payer_rule.created":
    case "payer_rule.changed":
    case "payer_rule.ended":
      return {
        title: `Payer rule ${kind.slice("payer_rule.".length)}: ${text(p.payerId)} ${text(p.ruleKind)} (version ${text(p.version)})`,
        facts: facts([["in force", `${text(p.effectiveFrom)} – ${p.effectiveTo === null ? "open" : text(p.effectiveTo)}`], ["reason", p.reason]]),
        changes: none,
      };
    case "claim.status":
      return { title: `Claim ${text(p.from)} → ${text(p.to)}`, facts: facts([["attempt", p.attempt], ["findings", p.findings], ["payer claim number", p.payerClaimControlNumber]]), changes: none };
    default:
      return { title: kind, facts: [], changes: none };
  }
}

/** An entry ready for a view. */
export function showEntry(entry: AuditEntry): ShownEntry {
  const payload = entry.payload !== null && typeof entry.payload === "object" && !Array.isArray(entry.payload) ? (entry.payload as Payload) : {};
  const shown = describe(entry.kind, payload);
  return {
    seq: entry.seq, at: entry.at, kind: entry.kind, actor: entry.actor, agent: entry.agent, node: entry.node, runId: entry.runId,
    subject: entry.subjectType === null ? null : `${entry.subjectType} ${entry.subjectId ?? ""}`.trim(),
    ...shown,
    payload: JSON.stringify(entry.payload, null, 2),
  };
}
