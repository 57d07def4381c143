/**
 * The console's claims area without a browser (app.inject, a signed-in session): the worklist's
 * status tabs and their counts, filters, paging, the 400 page for bad input naming the field, the
 * 404 page, who may open it; the claim page's lines before → after, findings, history, and the raw
 * 837 / 999 / 277CA one segment a line and escaped. Claims are written through the claim store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countClaimsByStatus, claimPayers } from "../../src/claims/claim-queries.js";
import { claimsHref, correctedRows, findingChanges, x12Lines } from "../../src/console/pages/claims.js";
import { openSession } from "../../src/console/sessions.js";
import type { UserRole } from "../../src/console/users.js";
import type { App } from "../../src/server/app.js";
import type { Claim } from "../../tools/claim/claim.js";
import { buildTestApp } from "../helpers/app.js";
import { createTestUsers } from "../helpers/browser.js";
import { drugClaim, seedConsoleClaims, TRICKY_PROVIDER } from "../helpers/claims-seed.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

const ROLES: UserRole[] = ["staff", "admin", "finance", "council"];
const EXTRA = 55;

/** The claim ids of a worklist page, in order. */
const rowIds = (html: string) => [...html.matchAll(/<tr data-id="([^"]+)">/g)].map((m) => m[1]);
/** The count badge of a status tab. */
const badge = (html: string, status: string) => Number(new RegExp(`data-count="${status}">(\\d+)<`).exec(html)?.[1]);
/** The text of a <pre> by id, unescaped back to the X12 it shows. */
const pre = (html: string, id: string) => new RegExp(`<pre class="x12" id="${id}"[^>]*>([^<]*)</pre>`).exec(html)?.[1];

describe.each(DATABASE_KINDS)("console claims pages (%s)", (kind) => {
  let t: TestDatabase;
  let app: App;
  let ids: Record<string, string>;
  const cookies = {} as Record<UserRole, string>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app } = await buildTestApp(t.db));
    await createTestUsers(t.db, ROLES);
    for (const role of ROLES) {
      const { rows } = await t.db.pool.query<{ id: string }>("SELECT id FROM users WHERE username = $1", [`${role}-user`]);
      cookies[role] = `irc_session=${await openSession(t.db.pool, rows[0]!.id, { idleMinutes: 30, maxHours: 12 })}`;
    }
    ids = await seedConsoleClaims(t.db, EXTRA);
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const get = (url: string, role: UserRole = "staff") => app.inject({ method: "GET", url, headers: { cookie: cookies[role] } });

  it("every reading role opens the worklist and a claim, and finds Claims in its navigation; a signed-out visitor is sent to sign in", async () => {
    for (const role of ROLES) {
      const list = await get("/claims", role);
      expect(list.statusCode, role).toBe(200);
      expect(list.body, role).toMatch(/<a href="\/claims" aria-current="page">Claims<\/a>/);
      expect((await get(`/claims/${ids["drug-1"]}`, role)).statusCode, role).toBe(200);
    }
    for (const url of ["/claims", `/claims/${ids["drug-1"]}`, "/claims?status=rejected"]) {
      const out = await app.inject({ method: "GET", url });
      expect(out.statusCode, url).toBe(303);
      expect(out.headers.location, url).toBe(`/sign-in?next=${encodeURIComponent(url)}`);
      expect(out.body, url).not.toContain(ids["drug-1"]);
    }
  });

  it("counts each status in one grouped count and shows the counts on the tabs, under the other filters", async () => {
    const counts = await countClaimsByStatus(t.db.pool, {});
    expect(counts).toEqual({ captured: 2 + EXTRA, scrubbed: 0, corrected: 0, submitted: 0, accepted: 1, rejected: 1, adjudicated: 0 });
    const page = (await get("/claims")).body;
    expect(badge(page, "all")).toBe(4 + EXTRA);
    expect(badge(page, "captured")).toBe(2 + EXTRA);
    expect(badge(page, "accepted")).toBe(1);
    expect(badge(page, "rejected")).toBe(1);
    expect(badge(page, "corrected")).toBe(0);
    // Filtered by payer, the tabs count that payer's claims only.
    const ma = (await get("/claims?payer=SBMA1")).body;
    expect([badge(ma, "all"), badge(ma, "captured"), badge(ma, "accepted")]).toEqual([1, 1, 0]);
    // The payer choices: every payer with claims, with its count.
    expect(await claimPayers(t.db.pool)).toEqual([
      { id: "SBCOM1", name: "Sandbox Commercial Health", count: 3 + EXTRA },
      { id: "SBMA1", name: "Sandbox Medicare Advantage", count: 1 },
    ]);
  });

  it("lists latest date of service first, a row per claim with its facts, and filters by status, payer and dates (both included)", async () => {
    const page = (await get("/claims")).body;
    expect(rowIds(page).slice(0, 4)).toEqual([ids["bad-npi"], ids["ma-1"], ids["drug-1"], ids["dep-1"]]);
    const row = new RegExp(`<tr data-id="${ids["drug-1"]}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? "";
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim());
    expect(cells).toEqual([ids["drug-1"], "drug-1", "sbx-drug-1", "Sandbox Commercial Health (SBCOM1)", "837P", "2026-03-02", "1300.00", "accepted", "1"]);
    expect(rowIds((await get("/claims?status=rejected")).body)).toEqual([ids["bad-npi"]]);
    expect(rowIds((await get("/claims?status=accepted&payer=SBCOM1")).body)).toEqual([ids["drug-1"]]);
    expect(rowIds((await get("/claims?payer=SBMA1")).body)).toEqual([ids["ma-1"]]);
    expect(rowIds((await get("/claims?from=2026-03-02&to=2026-03-03")).body)).toEqual([ids["ma-1"], ids["drug-1"]]);
    expect(rowIds((await get("/claims?from=2026-03-04")).body)).toEqual([ids["bad-npi"]]);
    // Empty fields of the form are no filter; a filter matching nothing says so.
    expect(rowIds((await get("/claims?status=&payer=&from=&to=&page=")).body)).toHaveLength(50);
    const none = (await get("/claims?status=adjudicated")).body;
    expect(rowIds(none)).toEqual([]);
    expect(none).toContain("No claims here");
  });

  it("pages 50 claims at a time with links that keep the filters", async () => {
    const first = (await get("/claims?payer=SBCOM1")).body;
    expect(rowIds(first)).toHaveLength(50);
    expect(first).toContain(`${3 + EXTRA} claims · page 1 of 2`);
    const next = /href="([^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll("&amp;", "&");
    expect(next).toBe("/claims?payer=SBCOM1&page=2");
    const second = (await get(next!)).body;
    expect(rowIds(second)).toHaveLength(3 + EXTRA - 50);
    expect(second).not.toContain('rel="next"');
    expect(new Set([...rowIds(first), ...rowIds(second)]).size).toBe(3 + EXTRA);
    // The last claim is the earliest date of service.
    expect(rowIds(second).at(-1)).toBe(rowIds((await get(`/claims?to=${new Date(Date.UTC(2026, 2, 1) - EXTRA * 86_400_000).toISOString().slice(0, 10)}`)).body)[0]);
    // A page past the end is an empty page, not an error.
    expect(rowIds((await get("/claims?page=9")).body)).toEqual([]);
    expect(claimsHref({ status: "rejected", payer: "SBCOM1", page: 3 }, { status: undefined })).toBe("/claims?payer=SBCOM1");
  });

  it.each([
    ["/claims?status=paid", "status"], ["/claims?from=2026-02-30", "from"], ["/claims?to=yesterday", "to"],
    ["/claims?from=2026-03-05&to=2026-03-01", "to"], ["/claims?page=0", "page"], ["/claims?page=abc", "page"],
    [`/claims?payer=${"P".repeat(129)}`, "payer"], ["/claims?from=0000-01-01", "from"],
  ])("answers %s with the 400 page naming the field", async (url, field) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain("Error 400");
    expect(res.body).toMatch(new RegExp(`Some fields are not valid: [^<]*\\b${field}\\b`));
  });

  it("answers an unknown claim with the 404 page and an over-long id with a 4xx, never a 500", async () => {
    const res = await get("/claims/CNOSUCHCLAIM0000");
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain("No claim CNOSUCHCLAIM0000");
    // Fastify's router refuses a path parameter over 100 characters (414) before the route's schema.
    expect((await get(`/claims/${"C".repeat(200)}`)).statusCode).toBe(414);
  });

  it("shows a corrected claim's lines as captured and as corrected, changed cells before → after, and its findings", async () => {
    const html = (await get(`/claims/${ids["drug-1"]}`)).body;
    const captured = /<table class="lines" id="captured-lines">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
    expect(captured).toContain("J9271");
    expect(captured).not.toContain("<del>");
    const corrected = /<table class="lines diff" id="corrected-lines">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
    const mark = (before: string, after: string) => `<del><span class="visually-hidden">before </span>${before}</del> → <ins><span class="visually-hidden">after </span>${after}</ins>`;
    for (const [before, after] of [["—", "JZ"], ["20", "10"], ["2000.00", "1000.00"], ["4 UN", "2 UN"]] as const) expect(corrected).toContain(mark(before, after));
    // The 96413 line did not change: no mark in its row.
    const first = /<tr class="line-same">([\s\S]*?)<\/tr>/.exec(corrected)?.[1] ?? "";
    expect(first).toContain("96413");
    expect(first).not.toContain("<del>");
    // The total, captured → corrected.
    expect(html).toMatch(/2300\.00<\/del> → <ins><span class="visually-hidden">as corrected <\/span>1300\.00/);
    // The finding: code, line, each changed field before → after, confidence, rationale (escaped), rule.
    const findings = /<table class="findings" id="findings">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
    expect(findings).toContain("<code>DRUG_UNITS</code>");
    expect(findings).toContain("<td>chg-2</td>");
    expect(findings).toContain(`<code>units</code>: ${mark("20", "10")}`);
    expect(findings).toContain(`<code>modifiers</code>: ${mark("—", "JZ")}`);
    expect(findings).not.toContain("<code>ndc</code>");
    expect(findings).toContain('<td class="num">1.00</td>');
    expect(findings).toContain("per 1 mg &lt;b&gt;not&lt;/b&gt; per 10 mg");
    expect(findings).not.toContain("<b>not</b>");
    expect(findings).toContain("CMS ASP 2026Q1 row J9271");
    // History, oldest first.
    const history = /<table class="history" id="history">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
    expect([...history.matchAll(/<td>(captured|scrubbed|corrected|submitted|accepted|rejected)<\/td>/g)].map((m) => m[1]))
      .toEqual(["captured", "scrubbed", "corrected", "submitted", "accepted"]);
  });

  it("shows each submission's 837, 999 and 277CA as received, one segment a line, escaped", async () => {
    const html = (await get(`/claims/${ids["bad-npi"]}`)).body;
    expect(html).toContain("Attempt 1: rejected");
    expect(html).toContain("<code>A7:562:85</code>");
    expect(html).toMatch(/National Provider Identifier/);
    const sent = pre(html, "x12-837-1")!;
    expect(sent).toBeDefined();
    const lines = sent.split("\n");
    expect(lines[0]).toMatch(/^ISA\*.*~$/);
    expect(lines.every((l) => /^[A-Z][A-Z0-9]{1,2}\*.*~$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^IEA\*/);
    expect(lines).toContain(`CLM*${ids["bad-npi"]}*300.00***11:B:1*Y*A*Y*Y~`);
    // The provider's name is in the 837 sent, escaped in the page.
    expect(sent).toContain("Smith &amp; Jones &lt;Infusion&gt;");
    expect(html).not.toContain(TRICKY_PROVIDER);
    for (const id of ["x12-999-1", "x12-277ca-1"]) {
      const text = pre(html, id)!;
      expect(text.split("\n")[0], id).toMatch(/^ISA\*/);
      expect(text.split("\n").every((l) => l.endsWith("~")), id).toBe(true);
    }
    expect(pre(html, "x12-277ca-1")).toContain("STC*A7:562:85");
    // Rejected: the reasons stand at the top too.
    expect(html).toMatch(/<strong>Rejected\.<\/strong>[\s\S]*A7:562:85/);
    // A captured claim: not scrubbed, not sent.
    const captured = (await get(`/claims/${ids["dep-1"]}`)).body;
    expect(captured).toContain("No findings: not scrubbed yet.");
    expect(captured).toContain("Not corrected: the claim goes to the payer as captured.");
    expect(captured).toContain("Not sent to the payer yet.");
  });

  it("points staff to the inbox and the council to the claim's audit trail", async () => {
    const url = `/claims/${ids["drug-1"]}`;
    expect((await get(url, "staff")).body).toContain('<a href="/inbox">open the inbox</a>');
    expect((await get(url, "staff")).body).not.toContain("/audit?subjectType=claim");
    const council = (await get(url, "council")).body;
    expect(council).toContain(`/audit?subjectType=claim&amp;subjectId=${ids["drug-1"]}`);
    expect(council).not.toContain('href="/inbox"');
    const finance = (await get(url, "finance")).body;
    expect(finance).not.toContain('href="/inbox"');
    expect(finance).not.toContain("/audit?");
  });
});

describe("claim page pieces", () => {
  const captured = drugClaim("2026-03-02", false) as Claim;
  const corrected = drugClaim("2026-03-02", true) as Claim;

  it("matches corrected lines to captured ones by line control number, marks added and removed lines", () => {
    const rows = correctedRows(captured, { ...corrected, lines: [corrected.lines[1]!, { ...corrected.lines[0]!, lineControlNumber: "chg-new" }] });
    expect(rows.map((r) => [r.lineId, r.kind])).toEqual([["chg-2", "changed"], ["chg-new", "added"], ["chg-1", "removed"]]);
    expect(rows[0]!.cells.units).toEqual({ value: "10", before: "20" });
    expect(rows[0]!.cells.code).toEqual({ value: "J9271", before: null });
    // Without line control numbers, lines are matched by place.
    const bare = (c: Claim): Claim => ({ ...c, lines: c.lines.map((l) => ({ ...l, lineControlNumber: null })) });
    expect(correctedRows(bare(captured), bare(corrected)).map((r) => r.kind)).toEqual(["same", "changed"]);
  });

  it("describes a finding's change field by field, or as a line added or removed", () => {
    expect(findingChanges({ units: 2, ndc: "1" }, { units: 1, ndc: "1" }).changes).toEqual([{ field: "units", before: "2", after: "1" }]);
    expect(findingChanges(null, { code: "96415", modifiers: [], units: 1, charge: "80.00" }).note).toBe("Add the line 96415 — × 1 80.00");
    expect(findingChanges({ code: "96360", units: 1 }, null).note).toBe("Remove the line 96360 × 1");
    expect(findingChanges({ totalCharge: "10.00" }, { totalCharge: "12.00" }).changes).toEqual([{ field: "totalCharge", before: "10.00", after: "12.00" }]);
  });

  it("writes raw X12 one segment a line with its terminator, also several interchanges and line breaks", () => {
    const isa = (n: string) => `ISA*00*          *00*          *ZZ*A              *ZZ*B              *260305*1000*^*00501*${n}*0*P*:~`;
    const text = `${isa("000000001")}GS*HC~IEA*1*000000001~\r\n${isa("000000002")}\nIEA*1*000000002~\n`;
    expect(x12Lines(text)).toEqual([isa("000000001"), "GS*HC~", "IEA*1*000000001~", isa("000000002"), "IEA*1*000000002~"]);
  });
});
