/**
 * The claims area (README, "Claims in the console"): the worklist of claims by status, payer and
 * date of service, and a claim's page — its lines as captured and as corrected (changed cells
 * before → after), the scrubber's findings, its history, and each submission with the 837 sent
 * and the 999 and 277CA received (DOMAIN.md "After the visit: the claim"; issue 18). Read-only:
 * findings are worked in the inbox like every draft, and the claim store alone changes a claim.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Claim, ServiceLine } from "../../../tools/claim/claim.js";
import { claimDetail, claimPayers, countClaims, countClaimsByStatus, listClaims, type ClaimQuery } from "../../claims/claim-queries.js";
import { ClaimStatus, type ClaimEvent, type StoredClaim, type StoredFinding } from "../../claims/claim-store.js";
import type { StoredSubmission } from "../../claims/claim-submission.js";
import { Id, IsoDate } from "../../server/routes/fields.js";
import type { ConsoleArea } from "../frame.js";
import { x12Segments } from "../inbox.js";
import type { UserRole } from "../users.js";

/** Who may read claims: everyone signed in (finance and council read; nobody changes a claim here). */
export const CLAIM_READERS = ["staff", "admin", "finance", "council"] as const satisfies readonly UserRole[];
const access = { console: { roles: CLAIM_READERS } };
/** Claims a page. */
export const CLAIMS_PAGE_SIZE = 50;

/** An empty form field is no filter. */
const blank = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : typeof value === "string" ? value.trim() : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

/** The worklist's query: status tab, payer, dates of service (both included), page. Bad values are a 400 page naming the field. */
export const ClaimsQuery = z.object({
  status: optional(ClaimStatus),
  payer: optional(Id),
  from: optional(IsoDate),
  to: optional(IsoDate),
  page: z.preprocess(blank, z.coerce.number().int().min(1).max(100_000).default(1)),
}).refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ["to"], message: "must not be before from" });
export type ClaimsQuery = z.infer<typeof ClaimsQuery>;

const ClaimParams = z.object({ id: Id });

/** The worklist's address with `change` applied (page back to 1 unless given). */
export function claimsHref(q: Partial<ClaimsQuery>, change: Partial<Record<keyof ClaimsQuery, string | number | undefined>> = {}): string {
  const merged: Record<string, unknown> = { ...q, page: undefined, ...change };
  const params = new URLSearchParams();
  for (const key of ["status", "payer", "from", "to", "page"]) {
    const v = merged[key];
    if (v !== undefined && v !== null && v !== "" && !(key === "page" && Number(v) === 1)) params.set(key, String(v));
  }
  const s = params.toString();
  return s === "" ? "/claims" : `/claims?${s}`;
}

/** The columns of a claim's line table; the revenue code only on an 837I. */
export const LINE_COLUMNS = [
  { key: "code", label: "Code" },
  { key: "modifiers", label: "Modifiers" },
  { key: "units", label: "Units", num: true },
  { key: "charge", label: "Charge", num: true },
  { key: "revenueCode", label: "Revenue code", institutional: true },
  { key: "ndc", label: "NDC" },
  { key: "quantity", label: "NDC quantity", num: true },
  { key: "pointers", label: "Diagnosis pointers" },
] as const;
export type LineColumn = (typeof LINE_COLUMNS)[number]["key"];

/** One line as the page shows it: each column's text. */
export function lineCells(line: ServiceLine, diagnoses: readonly string[]): Record<LineColumn, string> {
  const drug = line.drug ?? null;
  return {
    code: line.procedure.code,
    modifiers: (line.procedure.modifiers ?? []).join(" ") || "—",
    units: `${line.units}${line.unitBasis === "MJ" ? " min" : ""}`,
    charge: line.charge,
    revenueCode: line.revenueCode ?? "—",
    ndc: drug === null ? "—" : drug.ndc11,
    quantity: drug === null ? "—" : `${drug.quantity} ${drug.unit}`,
    pointers: (line.diagnosisPointers ?? []).map((p) => `${p} (${diagnoses[p - 1] ?? "?"})`).join(", ") || "—",
  };
}

/** A line of the corrected claim against the captured one: each cell with its captured value when it changed. */
export interface CorrectedRow {
  n: number | null;
  lineId: string | null;
  kind: "same" | "changed" | "added" | "removed";
  cells: Record<LineColumn, { value: string; before: string | null }>;
}

/**
 * The corrected claim's lines against the captured claim's: a line is the same line when it keeps
 * its line control number (the charge id the scrubber carries, 837 REF*6R), else when it is at the
 * same place and neither has one. Captured lines the correction dropped come last, as removed.
 */
export function correctedRows(captured: Claim, corrected: Claim): CorrectedRow[] {
  const used = new Set<number>();
  const rows: CorrectedRow[] = corrected.lines.map((line, i) => {
    const id = line.lineControlNumber ?? null;
    let match = id === null ? -1 : captured.lines.findIndex((c, j) => !used.has(j) && c.lineControlNumber === id);
    if (match === -1 && id === null && i < captured.lines.length && !used.has(i) && (captured.lines[i]?.lineControlNumber ?? null) === null) match = i;
    const after = lineCells(line, corrected.diagnoses);
    if (match === -1) {
      return { n: i + 1, lineId: id, kind: "added" as const, cells: mapCells(after, (v) => ({ value: v, before: null })) };
    }
    used.add(match);
    const before = lineCells(captured.lines[match] as ServiceLine, captured.diagnoses);
    const cells = mapCells(after, (v, key) => ({ value: v, before: before[key] === v ? null : before[key] }));
    const changed = Object.values(cells).some((c) => c.before !== null);
    return { n: i + 1, lineId: id, kind: changed ? "changed" as const : "same" as const, cells };
  });
  captured.lines.forEach((line, j) => {
    if (used.has(j)) return;
    rows.push({ n: null, lineId: line.lineControlNumber ?? null, kind: "removed", cells: mapCells(lineCells(line, captured.diagnoses), (v) => ({ value: v, before: null })) });
  });
  return rows;
}

function mapCells<T>(cells: Record<LineColumn, string>, f: (value: string, key: LineColumn) => T): Record<LineColumn, T> {
  return Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, f(v, k as LineColumn)])) as Record<LineColumn, T>;
}

/** A value of a finding or history entry as one line of text. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value === "" ? "—" : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) return value.length === 0 ? "—" : value.join(" ");
  return JSON.stringify(value);
}

/** A finding as the page shows it (the scrubber's Finding: code, line, before → after, confidence, rationale, rule). */
export interface FindingView {
  code: string;
  line: string;
  /** The fields the finding changes, before → after. */
  changes: { field: string; before: string; after: string }[];
  /** When the finding adds or removes a whole line (or says it in words). */
  note: string | null;
  confidence: string;
  rationale: string;
  rule: string;
  ruleDetail: string | null;
  autoCorrectable: boolean | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What a finding changes: field by field when before and after are lines (or totals), else the two values. */
export function findingChanges(before: unknown, after: unknown): { changes: FindingView["changes"]; note: string | null } {
  const summary = (line: Record<string, unknown>) => [line.code, line.modifiers, line.units === undefined ? undefined : `× ${shown(line.units)}`, line.charge]
    .filter((v) => v !== undefined && v !== null).map(shown).join(" ");
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const changes = keys.filter((k) => shown(before[k]) !== shown(after[k])).map((k) => ({ field: k, before: shown(before[k]), after: shown(after[k]) }));
    return { changes, note: changes.length === 0 ? "No change proposed" : null };
  }
  if ((before === null || before === undefined) && isRecord(after)) return { changes: [], note: `Add the line ${summary(after)}` };
  if (isRecord(before) && (after === null || after === undefined)) return { changes: [], note: `Remove the line ${summary(before)}` };
  if (before === undefined && after === undefined) return { changes: [], note: null };
  return { changes: [{ field: "value", before: shown(before), after: shown(after) }], note: null };
}

export function findingView(f: StoredFinding): FindingView {
  const { changes, note } = findingChanges(f.before, f.after);
  const rule = f.rule;
  const confidence = typeof f.confidence === "number" ? f.confidence.toFixed(2) : "—";
  return {
    code: f.code,
    line: shown(f.lineId ?? f.line ?? "the claim"),
    changes, note, confidence,
    rationale: typeof f.rationale === "string" ? f.rationale : "—",
    rule: isRecord(rule) ? shown(rule.source) : shown(rule),
    ruleDetail: isRecord(rule) && typeof rule.detail === "string" ? rule.detail : null,
    autoCorrectable: typeof f.autoCorrectable === "boolean" ? f.autoCorrectable : null,
  };
}

/** A history entry's detail as "key: value" pairs. */
export const eventDetail = (e: ClaimEvent): { key: string; value: string }[] => Object.entries(e.detail).map(([key, value]) => ({ key, value: shown(value) }));

/** Raw X12 as the page shows it: one segment a line, each with its terminator (the ISA's 106th character). */
export function x12Lines(x12: string): string[] {
  const terminator = x12.startsWith("ISA") && x12.length > 105 ? x12.charAt(105) : "~";
  return x12Segments(x12).map((s) => s.replace(/\s+$/, "")).filter((s) => s !== "").map((s) => `${s}${terminator}`);
}

/** A submission as the page shows it. */
export function submissionView(s: StoredSubmission) {
  const outcome = s.state === "sending" ? "in doubt (sent, no answer recorded)" : s.state === "failed" ? "not taken by the clearinghouse" : s.outcome ?? "pending (no 277CA yet)";
  return {
    attempt: s.attempt, interchangeControl: String(s.interchangeControl).padStart(9, "0"), state: s.state, sentAt: s.sentAt, answeredAt: s.answeredAt, outcome,
    rejected: s.outcome === "rejected", reasons: s.parsed?.reasons ?? [], payerClaimControlNumber: s.parsed?.payerClaimControlNumber ?? null, error: s.error,
    sent: x12Lines(s.x12Sent), ack999: s.ack999 === null ? null : x12Lines(s.ack999), ack277ca: s.ack277ca === null ? null : x12Lines(s.ack277ca),
  };
}

/** `2026-03-05T10:00:00.000Z` → `2026-03-05 10:00 UTC`. */
const when = (iso: string | null) => (iso === null ? "—" : `${iso.slice(0, 16).replace("T", " ")} UTC`);

/** The claim page's header facts. */
function facts(c: StoredClaim) {
  const current = c.corrected ?? c.captured;
  return {
    site: c.form === "837P" ? `837P, place of service ${current.placeOfService ?? "—"}` : `837I, type of bill ${current.facilityType ?? "—"}${current.frequency ?? "1"}`,
    memberId: current.subscriber?.memberId ?? "—",
    priorAuthorization: current.priorAuthorization ?? null,
    diagnoses: (current.diagnoses ?? []).map((d, i) => `${i + 1} ${d}`),
    capturedTotal: c.captured.totalCharge,
  };
}

async function routes(app: FastifyInstance): Promise<void> {
  const pool = app.db.pool;

  app.get("/claims", { config: access, schema: { querystring: ClaimsQuery } }, async (request, reply) => {
    const q = request.query as ClaimsQuery;
    const filter: ClaimQuery = { status: q.status, payerId: q.payer, from: q.from, to: q.to };
    const [rows, total, byStatus, payers] = await Promise.all([
      listClaims(pool, { ...filter, limit: CLAIMS_PAGE_SIZE, offset: (q.page - 1) * CLAIMS_PAGE_SIZE }),
      countClaims(pool, filter),
      countClaimsByStatus(pool, filter),
      claimPayers(pool),
    ]);
    const all = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const pages = Math.max(1, Math.ceil(total / CLAIMS_PAGE_SIZE));
    return reply.page("claims/index", {
      q, rows, total, all, byStatus, statuses: ClaimStatus.options, payers, page: q.page, pages, href: claimsHref,
    }, { title: "Claims" });
  });

  app.get("/claims/:id", { config: access, schema: { params: ClaimParams } }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof ClaimParams>;
    const { claim, history, submissions } = await claimDetail(pool, id);
    const role = request.consoleSession?.user.role;
    const diagnoses = claim.captured.diagnoses ?? [];
    return reply.page("claims/claim", {
      claim, facts: facts(claim), when,
      columns: LINE_COLUMNS.filter((c) => !("institutional" in c) || claim.form === "837I"),
      captured: claim.captured.lines.map((l, i) => ({ n: i + 1, lineId: l.lineControlNumber ?? null, cells: lineCells(l, diagnoses) })),
      corrected: claim.corrected === null ? null : correctedRows(claim.captured, claim.corrected),
      findings: claim.findings.map(findingView),
      history: history.map((e) => ({ ...e, at: when(e.at), details: eventDetail(e) })),
      submissions: submissions.map((s) => ({ ...submissionView(s), sentAt: when(s.sentAt), answeredAt: when(s.answeredAt) })),
      rejection: Array.isArray(claim.rejection) ? (claim.rejection as { source?: string; code?: string; message?: string; line?: string | null }[]) : [],
      inbox: role === "staff" || role === "admin",
      audit: role === "council" || role === "admin",
    }, { title: `Claim ${claim.id}` });
  });
}

export const claimPages: ConsoleArea = {
  name: "claims",
  nav: [{ href: "/claims", label: "Claims", roles: CLAIM_READERS, group: "Work" }],
  routes,
};
