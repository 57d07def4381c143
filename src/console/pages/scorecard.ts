/**
 * The leadership scorecard (README, "Leadership scorecard"): the pre-service measures
 * (`governance/scorecard.ts`) over a chosen range of dates of service, as totals and by day or
 * week, drawn in the browser with uPlot from a JSON block of the page (`assets/scorecard.js`);
 * every chart has a table of the same figures. Figures come from `ScorecardCache`: at most a few
 * seconds old, so a leader's page never waits on a running sweep.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { addDays, daysBetween } from "../../../tools/iso-dates.js";
import { ScorecardCache } from "../../governance/scorecard-cache.js";
import type { Rate, ScorecardBucket } from "../../governance/scorecard.js";
import { IsoDate } from "../../server/routes/fields.js";
import type { ConsoleArea } from "../frame.js";

/** The longest range a page may cover (as `/v1/scorecard`). */
export const MAX_DAYS = 731;
/** Ranges up to this many days are drawn by day; longer ones by week. */
const DAILY_UP_TO = 62;

const Query = z.object({
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  bucket: z.enum(["auto", "day", "week"]).optional(),
}).refine((q) => (q.from === undefined) === (q.to === undefined), { path: ["to"], message: "give both from and to, or neither" })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ["to"], message: "must not be before from" })
  .refine((q) => q.from === undefined || q.to === undefined || daysBetween(q.from, q.to) + 1 <= MAX_DAYS, { path: ["to"], message: `the range may cover at most ${MAX_DAYS} days` });

/** The preset ranges, as of `today` (UTC). */
export function presets(today: string): { label: string; from: string; to: string }[] {
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
  const monday = addDays(today, -weekday);
  const [year, month] = today.split("-").map(Number) as [number, number];
  const firstMonth = Math.floor((month - 1) / 3) * 3 + 1;
  const quarterStart = `${year}-${String(firstMonth).padStart(2, "0")}-01`;
  const nextQuarter = firstMonth === 10 ? `${year + 1}-01-01` : `${year}-${String(firstMonth + 3).padStart(2, "0")}-01`;
  return [
    { label: "This week", from: monday, to: addDays(monday, 6) },
    { label: "Last 30 days", from: addDays(today, -29), to: today },
    { label: "This quarter", from: quarterStart, to: addDays(nextQuarter, -1) },
  ];
}

const percent = (r: Rate) => (r.rate === null ? "—" : `${(r.rate * 100).toFixed(1)} %`);

/** The chart data the page's script reads (and the tables show). */
function chartData(view: Awaited<ReturnType<ScorecardCache["get"]>>) {
  const reasons = Object.entries(view.totals.exceptionsByReason).sort((a, b) => b[1] - a[1]).map(([reason]) => reason);
  const ratePct = (r: Rate) => (r.rate === null ? null : Math.round(r.rate * 1000) / 10);
  return {
    bucket: view.bucket,
    x: view.series.map((p) => p.bucket),
    authorization: view.series.map((p) => ratePct(p.authorizationSuccessRate)),
    automation: view.series.map((p) => ratePct(p.automationRate)),
    flagged: view.series.map((p) => ratePct(p.flaggedAtLeastTwoDaysBefore)),
    estimates: view.series.map((p) => p.patientEstimatesProduced),
    exceptions: reasons.map((reason) => ({ reason, values: view.series.map((p) => p.exceptionsByReason[reason] ?? 0) })),
  };
}

async function routes(app: FastifyInstance): Promise<void> {
  const cache = new ScorecardCache(app.db.pool);
  // The page's body depends only on the view and the range's presets: rendered once per computed
  // view (and day), then each request only wraps it in the layout (its session, its CSRF token).
  const bodies = new WeakMap<object, { key: string; html: string }>();
  const leaders = { console: { roles: ["finance", "council", "admin", "staff"] as const } };

  app.get("/scorecard", { config: leaders, schema: { querystring: Query } }, async (request, reply) => {
    const query = request.query as z.infer<typeof Query>;
    const today = new Date().toISOString().slice(0, 10);
    const ranges = presets(today);
    const range = query.from !== undefined && query.to !== undefined ? { from: query.from, to: query.to } : ranges[1]!;
    const days = daysBetween(range.from, range.to) + 1;
    const bucket: ScorecardBucket = query.bucket === "day" || query.bucket === "week" ? query.bucket : days <= DAILY_UP_TO ? "day" : "week";
    const view = await cache.get(range, bucket);
    const key = `${today}/${query.bucket ?? "auto"}`;
    let body = bodies.get(view);
    if (body === undefined || body.key !== key) {
      const data = chartData(view);
      // Inside <script type="application/json">: no "<" may close the block early.
      const json = JSON.stringify(data).replace(/</g, "\\u003c");
      body = {
        key,
        html: app.consoleRenderer.fragment("scorecard/body", {
          range, bucket, choice: query.bucket ?? "auto", days, presets: ranges, totals: view.totals, series: view.series, reasons: data.exceptions.map((e) => e.reason),
          computedAt: view.computedAt.toISOString().slice(11, 19), json, percent,
        }),
      };
      bodies.set(view, body);
    }
    return reply.page("scorecard/index", { body: body.html }, { title: "Scorecard" });
  });
}

export const scorecardPages: ConsoleArea = {
  name: "scorecard",
  nav: [{ href: "/scorecard", label: "Scorecard", roles: ["finance", "council", "admin", "staff"], group: "Leadership" }],
  routes,
};
