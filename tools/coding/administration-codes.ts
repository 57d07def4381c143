/**
 * Drug administration CPT codes from administration events (start/stop times, drug class,
 * route, IV site), per the CPT/CMS conventions summarised in DOMAIN.md:
 *
 * - One initial service per encounter, chosen by hierarchy (CMS): chemotherapy/complex biologic
 *   infusion > chemotherapy push > therapeutic infusion > therapeutic push > hydration; everything
 *   else is sequential, additional or concurrent. A second initial only for a separate IV site,
 *   with a distinct-service modifier (59 or XU).
 * - Additional hours (96415, 96366, 96361) only when more than 30 minutes beyond the last full hour.
 * - An infusion of 15 minutes or less is a push (96409 / 96374).
 * - Hydration of 30 minutes or less is not reportable; hydration running at the same time as a
 *   chemotherapy or therapeutic infusion is not separately reportable.
 * - Chemotherapy infusion over 8 hours started with a pump: 96416.
 * - Subcutaneous/intramuscular: 96401 anti-neoplastic non-hormonal, 96402 hormonal, 96372 therapeutic.
 * - A time-based line is never guessed: a missing stop time is a finding, not a line.
 */
import type { DrugClass, Route } from "./drug-catalogue.js";

/** One administration as documented on the MAR. */
export interface AdministrationEvent {
  id?: string;
  drug: string;
  hcpcs?: string | null;
  class: DrugClass;
  route: Route;
  start: string;
  stop?: string | null;
  site?: string | null;
  pump?: boolean;
}

/** A derived CPT line. */
export interface AdministrationLine {
  cpt: string;
  units: number;
  modifiers: string[];
  eventIds: string[];
  rationale: string;
}

/** Something a coder must look at. */
export interface AdministrationFinding {
  code: "MISSING_STOP_TIME" | "INVALID_TIMES" | "HYDRATION_NOT_REPORTABLE" | "HYDRATION_CONCURRENT" | "SECOND_INITIAL_SEPARATE_SITE" | "UNSUPPORTED_ROUTE";
  message: string;
  eventId: string;
}

type Kind = "chemo-infusion" | "chemo-push" | "therapeutic-infusion" | "therapeutic-push" | "hydration";
const RANK: Record<Kind, number> = { "chemo-infusion": 1, "chemo-push": 2, "therapeutic-infusion": 3, "therapeutic-push": 4, hydration: 5 };

interface Service {
  id: string;
  event: AdministrationEvent;
  kind: Kind;
  minutes: number | null;
  start: number;
  stop: number | null;
  site: string;
}

/** Hours to report beyond the first: each full hour, plus one when the remainder is over 30 minutes. */
export function additionalHours(minutes: number): number {
  if (minutes <= 60) return 0;
  const beyond = minutes - 60;
  return Math.floor(beyond / 60) + (beyond % 60 > 30 ? 1 : 0);
}

const isChemoClass = (c: DrugClass) => c === "chemotherapy" || c === "biologic" || c === "hormonal";

/** Derives the administration lines and findings for one encounter. */
export function deriveAdministrationCodes(events: AdministrationEvent[], options: { distinctModifier?: "59" | "XU" } = {}): { lines: AdministrationLine[]; findings: AdministrationFinding[] } {
  const modifier = options.distinctModifier ?? "59";
  const lines: AdministrationLine[] = [];
  const findings: AdministrationFinding[] = [];
  const services: Service[] = [];

  events.forEach((e, i) => {
    const id = e.id ?? `event-${i + 1}`;
    const start = Date.parse(e.start);
    const stop = e.stop == null ? null : Date.parse(e.stop);
    if (Number.isNaN(start) || (stop !== null && Number.isNaN(stop))) {
      findings.push({ code: "INVALID_TIMES", message: `${e.drug}: start or stop is not a date-time`, eventId: id });
      return;
    }
    if (e.route === "subcutaneous" || e.route === "intramuscular") {
      if (e.class === "hydration") {
        findings.push({ code: "UNSUPPORTED_ROUTE", message: `${e.drug}: hydration is not given ${e.route}`, eventId: id });
        return;
      }
      const cpt = e.class === "hormonal" ? "96402" : e.class === "chemotherapy" || e.class === "biologic" ? "96401" : "96372";
      const what = cpt === "96402" ? "hormonal anti-neoplastic" : cpt === "96401" ? "non-hormonal anti-neoplastic" : "therapeutic";
      lines.push({ cpt, units: 1, modifiers: [], eventIds: [id], rationale: `${e.drug}: ${e.route} injection, ${what} (${cpt})` });
      return;
    }
    let minutes: number | null = null;
    if (stop !== null) {
      minutes = Math.round((stop - start) / 60_000);
      if (minutes < 0) {
        findings.push({ code: "INVALID_TIMES", message: `${e.drug}: stop time is before the start time`, eventId: id });
        return;
      }
    }
    if (e.route === "iv-infusion" && minutes === null) {
      findings.push({ code: "MISSING_STOP_TIME", message: `${e.drug}: time-based line cannot be billed without a stop time`, eventId: id });
      return;
    }
    const push = e.route === "iv-push" || (minutes !== null && minutes <= 15);
    const kind: Kind = e.class === "hydration" ? "hydration" : isChemoClass(e.class) ? (push ? "chemo-push" : "chemo-infusion") : push ? "therapeutic-push" : "therapeutic-infusion";
    if (kind === "hydration" && (minutes ?? 0) <= 30) {
      findings.push({ code: "HYDRATION_NOT_REPORTABLE", message: `${e.drug}: hydration of ${minutes ?? 0} minutes (30 or less) is not reportable`, eventId: id });
      return;
    }
    services.push({ id, event: e, kind, minutes, start, stop, site: e.site ?? "A" });
  });

  const infusions = services.filter((s) => s.kind === "chemo-infusion" || s.kind === "therapeutic-infusion");
  const overlaps = (a: Service, b: Service) => a !== b && a.stop !== null && b.stop !== null && a.start < b.stop && b.start < a.stop;

  // Hydration at the same time as a chemotherapy or therapeutic infusion is not separately reportable.
  const reportable = services.filter((s) => {
    if (s.kind !== "hydration") return true;
    const concurrent = infusions.find((i) => overlaps(s, i));
    if (concurrent === undefined) return true;
    findings.push({ code: "HYDRATION_CONCURRENT", message: `${s.event.drug}: hydration concurrent with ${concurrent.event.drug} is not separately reportable`, eventId: s.id });
    return false;
  });

  const bySite = new Map<string, Service[]>();
  for (const s of reportable) bySite.set(s.site, [...(bySite.get(s.site) ?? []), s]);
  const sites = [...bySite.entries()].sort(([, a], [, b]) => Math.min(...a.map((s) => RANK[s.kind])) - Math.min(...b.map((s) => RANK[s.kind])));

  sites.forEach(([site, list], siteIndex) => {
    const ordered = [...list].sort((a, b) => RANK[a.kind] - RANK[b.kind] || a.start - b.start);
    const initial = ordered[0] as Service;
    const extra = siteIndex === 0 ? [] : [modifier];
    if (siteIndex > 0) {
      findings.push({ code: "SECOND_INITIAL_SEPARATE_SITE", message: `Second initial service at separate IV site ${site} (modifier ${modifier}); document why a separate site was needed`, eventId: initial.id });
    }
    lines.push(...initialLines(initial, extra));
    for (const s of ordered.slice(1)) lines.push(...subsequentLines(s, initial, reportable.filter((r) => r !== s && overlaps(s, r) && r.kind !== "hydration")));
  });
  return { lines: merge(lines), findings };
}

function initialLines(s: Service, modifiers: string[]): AdministrationLine[] {
  const m = s.minutes ?? 0;
  const name = s.event.drug;
  switch (s.kind) {
    case "chemo-infusion":
      if (m > 480 && s.event.pump === true) return [{ cpt: "96416", units: 1, modifiers, eventIds: [s.id], rationale: `${name}: prolonged chemotherapy infusion of ${m} minutes (> 8 h) started with a pump` }];
      return withHours("96413", "96415", s, modifiers, `${name}: chemotherapy/complex biologic infusion, first hour (initial service)`);
    case "chemo-push":
      return [{ cpt: "96409", units: 1, modifiers, eventIds: [s.id], rationale: `${name}: chemotherapy push${s.event.route === "iv-infusion" ? ` (infused ${m} min, 15 or less)` : ""} (initial service)` }];
    case "therapeutic-infusion":
      return withHours("96365", "96366", s, modifiers, `${name}: therapeutic infusion, first hour (initial service)`);
    case "therapeutic-push":
      return [{ cpt: "96374", units: 1, modifiers, eventIds: [s.id], rationale: `${name}: therapeutic push (initial service)` }];
    case "hydration":
      return withHours("96360", "96361", s, modifiers, `${name}: hydration ${m} minutes, first hour (initial service)`);
  }
}

function subsequentLines(s: Service, initial: Service, concurrentWith: Service[]): AdministrationLine[] {
  const name = s.event.drug;
  const chemoInitial = initial.kind === "chemo-infusion" || initial.kind === "chemo-push";
  switch (s.kind) {
    case "chemo-infusion":
      return withHours("96417", "96415", s, [], `${name}: additional sequential chemotherapy infusion of a different drug, up to 1 hour`);
    case "chemo-push":
      return [{ cpt: "96411", units: 1, modifiers: [], eventIds: [s.id], rationale: `${name}: additional sequential chemotherapy push of a different drug` }];
    case "therapeutic-infusion":
      if (concurrentWith.some((c) => c.kind === "chemo-infusion" || c.kind === "therapeutic-infusion")) {
        return [{ cpt: "96368", units: 1, modifiers: [], eventIds: [s.id], rationale: `${name}: concurrent infusion with ${concurrentWith[0]?.event.drug ?? "another drug"}` }];
      }
      return withHours("96367", "96366", s, [], `${name}: sequential infusion of a new drug, up to 1 hour${chemoInitial ? " (after chemotherapy initial)" : ""}`);
    case "therapeutic-push":
      return [{ cpt: "96375", units: 1, modifiers: [], eventIds: [s.id], rationale: `${name}: sequential push of a new drug` }];
    case "hydration": {
      const units = 1 + additionalHours(s.minutes ?? 0);
      return [{ cpt: "96361", units, modifiers: [], eventIds: [s.id], rationale: `${name}: sequential hydration ${s.minutes ?? 0} minutes after the initial service` }];
    }
  }
}

function withHours(first: string, addOn: string, s: Service, modifiers: string[], rationale: string): AdministrationLine[] {
  const m = s.minutes ?? 0;
  const hours = additionalHours(m);
  const out: AdministrationLine[] = [{ cpt: first, units: 1, modifiers, eventIds: [s.id], rationale: `${rationale}; ${m} minutes` }];
  if (hours > 0) out.push({ cpt: addOn, units: hours, modifiers, eventIds: [s.id], rationale: `${s.event.drug}: ${hours} additional hour(s) — ${m} minutes, > 30 beyond each counted hour` });
  return out;
}

/** Same code and modifiers on one line, units added. */
function merge(lines: AdministrationLine[]): AdministrationLine[] {
  const out: AdministrationLine[] = [];
  for (const l of lines) {
    const same = out.find((o) => o.cpt === l.cpt && o.modifiers.join() === l.modifiers.join());
    if (same === undefined) out.push({ ...l, modifiers: [...l.modifiers], eventIds: [...l.eventIds] });
    else {
      same.units += l.units;
      same.eventIds.push(...l.eventIds);
      same.rationale += `; ${l.rationale}`;
    }
  }
  return out;
}
