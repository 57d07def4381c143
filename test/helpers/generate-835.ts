/**
 * A deterministic, seeded generator of realistic 835 batches for tests and `bench:x12`: one
 * interchange carrying several payers' transactions, claims paid, partly denied, denied (CLP02 4),
 * secondary (2), crossed over (19), reversed and corrected (22, then a new CLP with REF*F8),
 * several CAS per line with several triplets each, LQ*HE remarks, MIA/MOA, NM1 QC/IL/82/TT,
 * REF*6R, DTM*472, AMT*B6, PLB (WO, L6, FB with their reference) — and a controlled share of
 * claims and lines planted out of balance, returned with the exact issue each must raise.
 * Element shapes follow the 835 TR3 (005010X221A1). Same seed, same bytes.
 */
import { FIRST_NAMES, LAST_NAMES } from "../../tools/sandbox/names.js";
import { Random } from "../../tools/sandbox/prng.js";
import { PAYERS, PLB_REASONS, type GeneratedPayer } from "./remittance-835-catalogue.js";
import { adjudicateVisit, billVisit, drawDenial, money, reversalOf, type GenAdjustment, type GenClaim, type Person } from "./remittance-835-claims.js";

/** Generator settings. */
export interface Generate835Options {
  /** Stop adding claims once the text reaches about this many characters. */
  targetBytes: number;
  seed?: number;
  /** Share of claims planted out of balance, half at a service line, half at the claim. */
  unbalancedShare?: number;
  /** Claims per transaction (each transaction is one payer's remittance to one payee). */
  claimsPerTransaction?: readonly [number, number];
}

/** An issue the reader must raise, where it must raise it. */
export interface PlantedIssue {
  code: "BALANCE_MISMATCH";
  transactionControlNumber: string;
  segmentId: "CLP" | "SVC";
  segmentIndex: number;
  byteOffset: number;
}

/** What was generated, counted the way a reader sees it. */
export interface Generated835Stats {
  transactions: number; claims: number; lines: number; claimsByStatus: Record<string, number>; casSegments: number;
  adjustments: number; lineRemarks: number; claimRemarks: number; providerAdjustments: number; deniedLines: number;
}

/** A generated batch: the text, the issues planted in it, and counts. */
export interface Generated835 { text: string; planted: PlantedIssue[]; stats: Generated835Stats }

const PAYEES = [
  { name: "SANDBOX INFUSION CENTER", npi: "1234567893", tin: "123456789", institutional: false },
  { name: "SANDBOX REGIONAL HOSPITAL OPD", npi: "1555000011", tin: "876543210", institutional: true },
];
const ONCOLOGISTS: Person[] = [["HARROW", "DANA", "1902837465"], ["OYELARAN", "KOFI", "1518273645"], ["QUAYLE", "PRIYA", "1730495867"]]
  .map(([last = "", first = "", base = ""]) => ({ last, first, idQualifier: "XX", id: npi(base.slice(0, 9)) }));

/** An NPI with its Luhn check digit over the 80840 prefix (45 CFR 162.406). */
function npi(base9: string): string {
  const digits = `80840${base9}`;
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i -= 1, double = !double) {
    let d = Number(digits[i]);
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return base9 + String((10 - (sum % 10)) % 10);
}

/** CCYYMMDD plus n days. */
function addDays(d8: string, n: number): string {
  const t = Date.UTC(Number(d8.slice(0, 4)), Number(d8.slice(4, 6)) - 1, Number(d8.slice(6, 8))) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10).replaceAll("-", "");
}

/** One segment: elements joined by "*", trailing empty elements dropped (X12.6). */
function seg(...elements: (string | number | null)[]): string {
  const values = elements.map((e) => (e === null ? "" : String(e)));
  while (values.length > 1 && values[values.length - 1] === "") values.pop();
  return values.join("*");
}

function cas(adjustments: readonly GenAdjustment[], style: GeneratedPayer["amounts"]): string[] {
  const groups = new Map<string, GenAdjustment[]>();
  for (const a of adjustments) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  const out: string[] = [];
  // One CAS per group code, up to six reason/amount/quantity triplets each (TR3 2100/2110 CAS).
  for (const [group, list] of groups) {
    for (let i = 0; i < list.length; i += 6) out.push(seg("CAS", group, ...list.slice(i, i + 6).flatMap((a) => [a.reason, money(a.cents, style), a.quantity])));
  }
  return out;
}

/** The 2100 and 2110 segments of a claim, and where its SVCs are among them. */
function claimSegments(c: GenClaim, style: GeneratedPayer["amounts"]): { segments: string[]; svc: number[] } {
  const m = (cents: number) => money(cents, style);
  const s = [seg("CLP", c.pcn, c.status, m(c.chargeCents), m(c.paidCents), c.patientCents === 0 ? null : m(c.patientCents), c.filing, c.icn, c.facility, "1", null, c.drg?.code ?? null, c.drg?.weight ?? null)];
  s.push(...cas(c.adjustments, style));
  const nm1 = (entity: string, p: Person) => seg("NM1", entity, "1", p.last, p.first, null, null, null, p.idQualifier, p.id);
  s.push(nm1("QC", c.patient));
  if (c.insured !== null) s.push(nm1("IL", c.insured));
  if (c.rendering !== null) s.push(nm1("82", c.rendering));
  if (c.crossover) s.push(seg("NM1", "TT", "2", "SANDBOX MEDIGAP SUPPLEMENT", null, null, null, null, "PI", "SBXGAP0001"));
  if (c.mia !== null) s.push(seg("MIA", c.mia.days, null, null, m(c.mia.drgCents), c.mia.remark));
  if (c.moa.length > 0) s.push(seg("MOA", null, null, ...c.moa));
  for (const [q, v] of c.refs) s.push(seg("REF", q, v));
  if (c.statement !== null) s.push(seg("DTM", "232", c.statement[0]), seg("DTM", "233", c.statement[1]));
  s.push(seg("DTM", "050", c.received));
  const svc: number[] = [];
  for (const l of c.lines) {
    svc.push(s.length);
    s.push(seg("SVC", ["HC", l.code, ...l.modifiers].join(":"), m(l.chargeCents), m(l.paidCents), l.revenue, l.units, l.originalCode === null ? null : `HC:${l.originalCode}`, l.originalUnits));
    s.push(seg("DTM", "472", l.date), ...cas(l.adjustments, style), seg("REF", "6R", l.control));
    if (l.allowedCents !== null) s.push(seg("AMT", "B6", m(l.allowedCents)));
    for (const r of l.remarks) s.push(seg("LQ", "HE", r));
  }
  return { segments: s, svc };
}

/** Generates a batch; see the module comment for what it holds. */
export function generate835(options: Generate835Options): Generated835 {
  const rng = new Random(options.seed ?? 835);
  const [minClaims, maxClaims] = options.claimsPerTransaction ?? [100, 1500];
  const unbalanced = options.unbalancedShare ?? 0.004;
  const parts: string[] = [];
  let offset = 0;
  let index = 0;
  const put = (segment: string) => {
    const at = { index, offset };
    const text = `${segment}~\n`;
    parts.push(text);
    offset += text.length;
    index += 1;
    return at;
  };
  const stats: Generated835Stats = { transactions: 0, claims: 0, lines: 0, claimsByStatus: {}, casSegments: 0, adjustments: 0, lineRemarks: 0, claimRemarks: 0, providerAdjustments: 0, deniedLines: 0 };
  const planted: PlantedIssue[] = [];
  put("ISA*00*          *00*          *ZZ*SBXCLEARING    *ZZ*INFUSIONRCM    *260310*0930*^*00501*000000835*0*P*:");
  put("GS*HP*SBXCLEARING*INFUSIONRCM*20260310*0930*835*X*005010X221A1");
  let claimNo = 0;
  while (offset < options.targetBytes) {
    stats.transactions += 1;
    const control = String(stats.transactions).padStart(4, "0");
    const payer = PAYERS[(stats.transactions - 1) % PAYERS.length] as GeneratedPayer;
    const payee = rng.chance(0.4) ? PAYEES[1]! : PAYEES[0]!;
    const paymentDate = addDays("20260310", stats.transactions % 60);
    const claims: { claim: GenClaim; plantedLine: number | null; plantedClaim: boolean; segments: string[]; svc: number[] }[] = [];
    const add = (claim: GenClaim, plantedLine: number | null, plantedClaim: boolean) => {
      const written = claimSegments(claim, payer.amounts);
      claims.push({ claim, plantedLine, plantedClaim, ...written });
      bytes += written.segments.reduce((s, x) => s + x.length + 2, 0);
    };
    let bytes = 0;
    for (let n = rng.int(minClaims, maxClaims); n > 0 && offset + bytes < options.targetBytes; n -= 1) {
      claimNo += 1;
      const patient = person(rng, payer);
      const dependent = !payer.filing.startsWith("M") && payer.filing !== "16" && rng.chance(0.15);
      const ctx = {
        payer, institutional: payee.institutional, pcn: `SBX${String(claimNo).padStart(9, "0")}`, icn: `2026${String(claimNo * 7).padStart(10, "0")}`,
        serviceDate: addDays(paymentDate, -rng.int(14, 45)), received: addDays(paymentDate, -rng.int(3, 12)),
        patient: dependent ? { ...patient, id: `${patient.id}01` } : patient,
        insured: dependent ? { ...patient, first: rng.pick(FIRST_NAMES.female).toUpperCase() } : null, rendering: rng.pick(ONCOLOGISTS),
      };
      if (rng.chance(0.02)) {
        // Reversal and correction in the same 835, the reversal first (X12 RFI 791).
        // The original was denied or priced wrong; the correction pays the same services as billed.
        const visit = billVisit(rng);
        const original = adjudicateVisit(rng, { ...ctx, icn: `2025${String(claimNo * 7).padStart(10, "0")}` }, visit, drawDenial(rng), 0.9);
        add(reversalOf(original), null, false);
        const corrected = adjudicateVisit(rng, ctx, visit, null);
        corrected.refs.push(["F8", original.icn]);
        add(corrected, null, false);
        continue;
      }
      const claim = adjudicateVisit(rng, ctx, billVisit(rng), drawDenial(rng));
      const plant = rng.chance(unbalanced) ? (claim.lines.length > 0 && rng.chance(0.5) ? "line" : "claim") : null;
      const delta = rng.int(1, 999);
      // A line paid off by δ makes its claim off by δ too (CLP04 is the sum the payer's system paid).
      const line = plant === "line" ? rng.int(0, claim.lines.length - 1) : null;
      if (line !== null) claim.lines[line]!.paidCents += delta;
      if (plant !== null) claim.paidCents += delta;
      add(claim, line, plant !== null);
    }
    const paid = claims.reduce((s, c) => s + c.claim.paidCents, 0);
    const plb = providerAdjustments(rng, payer, payee.npi, claims.map((c) => c.claim), paid);
    const payment = paid - plb.cents;
    const m = (cents: number) => money(cents, payer.amounts);
    const body: string[] = [
      payment === 0 ? seg("BPR", "H", m(0), "C", "NON", ...Array<null>(11).fill(null), paymentDate)
        : payer.method === "CHK" ? seg("BPR", "C", m(payment), "C", "CHK", ...Array<null>(11).fill(null), paymentDate)
          : seg("BPR", "I", m(payment), "C", "ACH", "CCP", "01", "011000015", "DA", "0001234567", payer.originator, null, "01", "021000021", "DA", "9876543210", paymentDate),
      seg("TRN", "1", `${payer.method === "CHK" ? "CHK" : "EFT"}${paymentDate}${control}`, payer.originator),
      seg("DTM", "405", paymentDate),
      payer.planId === null ? seg("N1", "PR", payer.name) : seg("N1", "PR", payer.name, "XV", payer.planId),
      seg("N3", "PO BOX 8350"), seg("N4", "SPRINGFIELD", "IL", "627010835"),
      ...(payer.planId === null ? [seg("REF", "2U", payer.originator.slice(1, 6))] : []),
      seg("PER", "BL", "PROVIDER EDI SUPPORT", "TE", "8005550835"),
      seg("N1", "PE", payee.name, "XX", payee.npi), seg("N3", "1 INFUSION WAY"), seg("N4", "SPRINGFIELD", "IL", "62701"), seg("REF", "TJ", payee.tin),
      seg("LX", "1"),
    ];
    const first = put(seg("ST", "835", control)).index;
    for (const b of body) put(b);
    for (const c of claims) {
      const at = c.segments.map((s) => put(s));
      const mark = (segmentId: "CLP" | "SVC", i: number) => planted.push({ code: "BALANCE_MISMATCH", transactionControlNumber: control, segmentId, segmentIndex: at[i]!.index, byteOffset: at[i]!.offset });
      if (c.plantedLine !== null) mark("SVC", c.svc[c.plantedLine]!);
      if (c.plantedClaim) mark("CLP", 0);
      countClaim(stats, c.claim, c.segments);
    }
    for (const p of plb.segments) put(p);
    stats.providerAdjustments += plb.count;
    // SE01 counts ST through SE.
    put(seg("SE", index - first + 1, control));
  }
  put(seg("GE", stats.transactions, "835"));
  put(seg("IEA", "1", "000000835"));
  return { text: parts.join(""), planted, stats };
}

function person(rng: Random, payer: GeneratedPayer): Person {
  const letters = "ACDEFGHJKMNPQRTUVWXY";
  const l = () => letters[rng.int(0, letters.length - 1)];
  const d = () => String(rng.int(0, 9));
  // Medicare: an MBI shape (11 characters, no S, L, O, I, B, Z); others: the plan's member id.
  const id = payer.filing === "MB" || payer.filing === "16" ? `${rng.int(1, 9)}${l()}${l()}${d()}${l()}${l()}${d()}${l()}${l()}${d()}${d()}`
    : `W${String(rng.int(100_000_000, 999_999_999))}`;
  const female = rng.chance(0.55);
  return { last: rng.pick(LAST_NAMES).toUpperCase(), first: rng.pick(female ? FIRST_NAMES.female : FIRST_NAMES.male).toUpperCase(), idQualifier: "MI", id };
}

/** PLB: interest (L6, negative: adds to the payment), overpayment recovery (WO), forward balance (FB); the payment stays ≥ 0. */
function providerAdjustments(rng: Random, payer: GeneratedPayer, providerId: string, claims: GenClaim[], paid: number): { segments: string[]; cents: number; count: number } {
  if (claims.length === 0 || !rng.chance(0.35)) return { segments: [], cents: 0, count: 0 };
  const pairs: [string, number][] = [];
  for (const reason of PLB_REASONS) {
    if (!rng.chance(0.6)) continue;
    const claim = rng.pick(claims);
    if (reason === "L6") pairs.push([`L6:${claim.icn}`, -rng.int(50, 4_000)]);
    else if (reason === "WO") pairs.push([`WO:${claim.icn.replace(/^2026/, "2025")}`, rng.int(2_000, 30_000)]);
    else pairs.push([`FB:${payer.originator}${rng.int(1000, 9999)}`, rng.int(1_000, 10_000) * (rng.chance(0.3) ? -1 : 1)]);
  }
  let cents = 0;
  const kept = pairs.filter(([, c]) => (paid - cents - c >= 0 ? ((cents += c), true) : false));
  if (kept.length === 0) return { segments: [], cents: 0, count: 0 };
  return { segments: [seg("PLB", providerId, "20261231", ...kept.flatMap(([id, c]) => [id, money(c, payer.amounts)]))], cents, count: kept.length };
}

function countClaim(stats: Generated835Stats, c: GenClaim, segments: string[]): void {
  stats.claims += 1;
  stats.lines += c.lines.length;
  stats.claimsByStatus[c.status] = (stats.claimsByStatus[c.status] ?? 0) + 1;
  stats.casSegments += segments.filter((s) => s.startsWith("CAS*")).length;
  stats.adjustments += c.adjustments.length + c.lines.reduce((s, l) => s + l.adjustments.length, 0);
  stats.lineRemarks += c.lines.reduce((s, l) => s + l.remarks.length, 0);
  stats.claimRemarks += c.moa.length + (c.mia === null ? 0 : 1);
  stats.deniedLines += c.lines.filter((l) => l.allowedCents === null).length;
}
