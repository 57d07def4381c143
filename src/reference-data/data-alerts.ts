/**
 * Admin alerts about the CMS quarterly files: one per file missing for the quarter in force
 * ("ASP file for 2026 Q4 not loaded" — estimates for that quarter are priced from an earlier
 * file, marked stale), and a warning when the next quarter begins within `leadDays` and its file
 * is not loaded yet (CMS posts each quarter's files a few weeks ahead). A data alert, not an
 * outage: the service stays ready. Computed from what is loaded and today's date, so an alert
 * clears as soon as the file is imported.
 */
import { z } from "zod";
import { CMS_FILE_NAMES, CmsFileKind } from "../../tools/coding/cms-files.js";
import { nextQuarter, quarterLabel, quarterOf } from "../../tools/coding/quarters.js";
import { daysBetween } from "../../tools/iso-dates.js";

/** Days before a quarter begins from which its missing file is warned about. */
export const NEXT_QUARTER_LEAD_DAYS = 14;

/** One alert. */
export const DataAlert = z.object({
  id: z.string().describe("Stable id: cms-file-missing:<kind>:<quarter> or cms-file-due:<kind>:<quarter>"),
  severity: z.enum(["alert", "warning"]).describe("alert: the quarter in force is not loaded; warning: the next quarter begins soon and is not loaded"),
  kind: CmsFileKind,
  quarter: z.string(),
  message: z.string().describe('e.g. "ASP file for 2026 Q4 not loaded"'),
  impact: z.string().describe("What it changes until it is resolved"),
  action: z.string().describe("What an admin does about it"),
});
export type DataAlert = z.infer<typeof DataAlert>;

/** The alerts for what is loaded (`kind` → quarters) on `today` (YYYY-MM-DD). */
export function dataAlerts(loaded: { kind: CmsFileKind; quarter: string }[], today: string, leadDays = NEXT_QUARTER_LEAD_DAYS): DataAlert[] {
  const has = new Set(loaded.map((f) => `${f.kind} ${f.quarter}`));
  const current = quarterOf(today);
  const next = nextQuarter(current.quarter);
  const alerts: DataAlert[] = [];
  for (const kind of CmsFileKind.options) {
    const name = CMS_FILE_NAMES[kind];
    const action = (quarter: string) =>
      `Download the ${quarterLabel(quarter)} files from CMS's ASP Pricing Files page and import: infusion-rcm data import ${kind} FILE, or POST /v1/data/imports?kind=${kind}`;
    if (!has.has(`${kind} ${current.quarter}`)) {
      const earlier = loaded.filter((f) => f.kind === kind && f.quarter < current.quarter).map((f) => f.quarter).sort().at(-1);
      alerts.push({
        id: `cms-file-missing:${kind}:${current.quarter}`, severity: "alert", kind, quarter: current.quarter,
        message: `${name} for ${quarterLabel(current.quarter)} not loaded`,
        impact: earlier === undefined
          ? `nothing in force for ${quarterLabel(current.quarter)} or before: ${kind === "asp" ? "estimates for these dates are not priced" : "NDCs are not checked against the crosswalk"}`
          : kind === "asp"
            ? `estimates for dates of service in ${quarterLabel(current.quarter)} are priced from the ${quarterLabel(earlier)} file, marked stale`
            : `NDCs on dates of service in ${quarterLabel(current.quarter)} are checked against the ${quarterLabel(earlier)} crosswalk`,
        action: action(current.quarter),
      });
    }
    if (daysBetween(today, next.effectiveFrom) <= leadDays && !has.has(`${kind} ${next.quarter}`)) {
      alerts.push({
        id: `cms-file-due:${kind}:${next.quarter}`, severity: "warning", kind, quarter: next.quarter,
        message: `${name} for ${quarterLabel(next.quarter)} not loaded`,
        impact: `it takes effect ${next.effectiveFrom}; from then an earlier quarter's file is used${kind === "asp" ? " and estimates are marked stale" : ""}`,
        action: action(next.quarter),
      });
    }
  }
  return alerts;
}
