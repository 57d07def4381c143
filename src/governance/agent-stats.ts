/**
 * What each agent decided and what people made of it, per action type and per week (UTC, weeks
 * start on Monday), for the council's agent record page. Definitions:
 * - accepted without edit, edited, ignored: review items decided with that outcome in the week;
 * - overrides: review items a person answered with a response of their own instead of the draft
 *   (status `responded`);
 * - executed automatically: actions the agent executed itself (`executed_by` is the agent), with
 *   no person in between;
 * - decisions: all of the above — the agent's proposals that reached an outcome in the week.
 * Both queries are bounded by the range (review_items_agent_idx serves the first).
 */
import type pg from "pg";

/** The counts of one agent and action type (or one week of them). */
export interface DecisionCounts {
  decisions: number;
  acceptedWithoutEdit: number;
  edited: number;
  ignored: number;
  overrides: number;
  executedAutomatically: number;
}

/** One agent's action type over the range, with its weeks (oldest first, only weeks with any outcome). */
export interface ActionTypeStats extends DecisionCounts {
  agent: string;
  actionType: string;
  weeks: ({ week: string } & DecisionCounts)[];
}

const REVIEWS = `
  SELECT agent, action_type, to_char(date_trunc('week', decided_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
    count(*) FILTER (WHERE status = 'accepted')::int AS accepted, count(*) FILTER (WHERE status = 'edited')::int AS edited,
    count(*) FILTER (WHERE status = 'ignored')::int AS ignored, count(*) FILTER (WHERE status = 'responded')::int AS responded
  FROM review_items
  WHERE decided_at >= $1 AND decided_at < $2 AND status IN ('accepted', 'edited', 'ignored', 'responded')
  GROUP BY 1, 2, 3`;

const AUTOMATIC = `
  SELECT agent, action_type, to_char(date_trunc('week', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week, count(*)::int AS executed
  FROM actions
  WHERE created_at >= $1 AND created_at < $2 AND status = 'executed' AND executed_by = 'agent:' || agent
  GROUP BY 1, 2, 3`;

const zero = (): DecisionCounts => ({ decisions: 0, acceptedWithoutEdit: 0, edited: 0, ignored: 0, overrides: 0, executedAutomatically: 0 });

function addInto(target: DecisionCounts, add: Partial<DecisionCounts>): void {
  for (const [key, value] of Object.entries(add) as [keyof DecisionCounts, number][]) target[key] += value;
}

/** The counts per agent and action type for outcomes in [from, to), sorted by agent then action type. */
export async function agentDecisionStats(db: Pick<pg.Pool, "query">, range: { from: Date; to: Date }): Promise<ActionTypeStats[]> {
  const params = [range.from, range.to];
  const reviews = await db.query<{ agent: string; action_type: string; week: string; accepted: number; edited: number; ignored: number; responded: number }>(REVIEWS, params);
  const automatic = await db.query<{ agent: string; action_type: string; week: string; executed: number }>(AUTOMATIC, params);
  const byType = new Map<string, ActionTypeStats>();
  const weekOf = (agent: string, actionType: string, week: string): { stats: ActionTypeStats; week: DecisionCounts } => {
    const key = `${agent}\u0000${actionType}`;
    let stats = byType.get(key);
    if (stats === undefined) byType.set(key, (stats = { agent, actionType, ...zero(), weeks: [] }));
    let found = stats.weeks.find((w) => w.week === week);
    if (found === undefined) stats.weeks.push((found = { week, ...zero() }));
    return { stats, week: found };
  };
  for (const r of reviews.rows) {
    const counts = { acceptedWithoutEdit: r.accepted, edited: r.edited, ignored: r.ignored, overrides: r.responded, decisions: r.accepted + r.edited + r.ignored + r.responded };
    const { stats, week } = weekOf(r.agent, r.action_type, r.week);
    addInto(stats, counts);
    addInto(week, counts);
  }
  for (const r of automatic.rows) {
    const counts = { executedAutomatically: r.executed, decisions: r.executed };
    const { stats, week } = weekOf(r.agent, r.action_type, r.week);
    addInto(stats, counts);
    addInto(week, counts);
  }
  const all = [...byType.values()];
  for (const s of all) s.weeks.sort((a, b) => a.week.localeCompare(b.week));
  return all.sort((a, b) => a.agent.localeCompare(b.agent) || a.actionType.localeCompare(b.actionType));
}
