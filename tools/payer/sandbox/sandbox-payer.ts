/**
 * The sandbox payer speaking X12 text: 270 → 271, 278 → 278 response, 837 → 999, 277CA (claims
 * accepted into adjudication or rejected by the front-end edits) and 835 for the accepted ones; anything else → a 999 rejection. Clearly a sandbox — a simulator of payers configured in
 * a JSON file.
 */
import type pg from "pg";
import type { CodingTables } from "../../coding/coding-tables.js";
import { parseX12, type ParsedTransaction } from "../../edi/parse.js";
import { SegmentScanner } from "../../edi/tokenizer.js";
import type { ReceivedClaim } from "../../edi/readers/claim-837.js";
import type { AuthRequest278 } from "../../edi/readers/request-278.js";
import type { EligibilityRequest270 } from "../../edi/readers/request-270.js";
import { write278Response } from "../../edi/writers/authorization.js";
import { write271Batch } from "../../edi/writers/eligibility.js";
import { write277CA } from "../../edi/writers/claim-acknowledgment.js";
import { write835, write999 } from "../../edi/writers/remittance.js";
import { BadInputError } from "../../errors.js";
import { acknowledgeClaims, refuseUnsupported } from "./acknowledgment.js";
import { adjudicateClaims, payerClaimControlNumber } from "./adjudication.js";
import { decideAuthorization } from "./authorization.js";
import { claimAcknowledgment, frontEndEdits, type FrontEndRejection } from "./front-end-edits.js";
import { answerEligibility, answerEligibilityBatch } from "./eligibility.js";
import type { PayerConfig } from "./payer-config.js";

/** What the simulator needs. */
export interface SandboxPayerDeps {
  pool: pg.Pool;
  config: PayerConfig;
  tables: CodingTables;
  /** The payer's clock. */
  now: () => Date;
}

/** Answers X12 the way a payer (through a clearinghouse) would. */
export class SandboxPayer {
  private control = 0;

  constructor(private readonly deps: SandboxPayerDeps) {}

  private envelope(receiverId: string) {
    this.control = (this.control % 999_999_999) + 1;
    return { senderId: "SANDBOXPAYER", receiverId: receiverId.slice(0, 15) || "INFUSIONRCM", interchangeControl: this.control, groupControl: this.control, now: this.deps.now() };
  }

  private today(): string {
    return this.deps.now().toISOString().slice(0, 10);
  }

  /**
   * Handles one X12 interchange; returns the response interchange(s) as text. A payer takes 270
   * inquiries, 278 requests (BHT02 13) and 837 claims, of one kind per interchange; any other set
   * (a 278 response, an 835, a 999, a set it has no business with) is rejected in a 999 and never
   * read as a request.
   */
  async handle(text: string): Promise<string> {
    const { transactions, issues } = parseX12(text);
    const first = transactions[0];
    if (first === undefined) throw new BadInputError("No transaction set in the X12 input", { code: "INVALID_X12", details: { issues: issues.slice(0, 20) } });
    // Answer to whoever sent it: ISA06 of the request.
    const sender = new SegmentScanner(text).next()?.elements[5]?.trim() || "INFUSIONRCM";
    const takes = (t: ParsedTransaction) => t.type === first.type && isRequest(t);
    const refusedGroups = groups(transactions).filter((g) => g.some((t) => !takes(t)));
    const refusals = refusedGroups.map((g) => write999(refuseUnsupported(g, takes), this.envelope(sender))).join("");
    const taken = transactions.filter(takes);
    if (taken.length === 0) return refusals;
    switch (first.type) {
      case "270": {
        // One 271 interchange answering every inquiry in order (for a single 270, exactly write271's),
        // the members read up front rather than one statement per inquiry.
        const answers = await this.eligibilityBatch(taken.map((t) => t.data as EligibilityRequest270));
        return refusals + write271Batch(answers, this.envelope(sender));
      }
      case "278": {
        const out: string[] = [refusals];
        for (const t of taken) out.push(write278Response(await this.authorization(t.data as AuthRequest278), this.envelope(sender)));
        return out.join("");
      }
      default: {
        // 837: the 999 per group; a 277CA per transaction set the 999 accepted; an 835 for the
        // claims the 277CA accepted (the others never reach adjudication).
        const acks = groups(taken).map((g) => acknowledgeClaims(g, issues));
        const accepted = taken.filter((t) => acks.some((a) => a.transactions.some((x) => x.controlNumber === t.controlNumber && x.accepted)));
        const out: string[] = [refusals, ...acks.map((a) => write999(a, this.envelope(sender)))];
        const claims: ReceivedClaim[] = [];
        for (const t of accepted) {
          const { text, adjudicate } = await this.acknowledge(t, sender);
          out.push(text);
          claims.push(...adjudicate);
        }
        const remits = claims.length === 0 ? [] : await adjudicateClaims(this.deps.pool, this.deps.config, this.deps.tables, claims, this.today());
        out.push(...remits.map((r) => write835(r, this.envelope(sender), "0001", SANDBOX_PAYER_DETAILS)));
        return out.join("");
      }
    }
  }

  /**
   * The 277CA for one accepted 837 transaction set (005010X214): its claims through the front-end
   * edits, the batch traced by the 837's ST02 and acknowledged to its sender (ISA06, as an ETIN).
   */
  private async acknowledge(t: ParsedTransaction, sender: string): Promise<{ text: string; adjudicate: ReceivedClaim[] }> {
    const claims = t.data as ReceivedClaim[];
    const today = this.today();
    const rejections: FrontEndRejection[][] = [];
    for (const c of claims) rejections.push(await frontEndEdits(this.deps.pool, this.deps.config, this.deps.tables, c));
    const ack = claimAcknowledgment(claims, rejections, {
      receiver: { name: sender, idQualifier: "46", id: sender }, trace: t.controlNumber, today, payerClaimId: (c) => payerClaimControlNumber(c.payer.id ?? "", c.claimId, today),
    });
    const envelope = this.envelope(sender);
    const text = write277CA(ack, {
      source: { entity: "PR", name: "SANDBOX PAYER", idQualifier: "PI", id: claims[0]?.payer.id ?? "SANDBOXPAYER" },
      receiptTrace: `SBX${envelope.interchangeControl}`, received: today, processed: today, reference: `CA${envelope.interchangeControl}`,
    }, envelope);
    return { text, adjudicate: claims.filter((_, i) => (rejections[i] ?? []).length === 0) };
  }

  eligibility(req: EligibilityRequest270) {
    return answerEligibility(this.deps.pool, this.deps.config, req, receiverOf(req), this.today());
  }

  /** The answers to a batch 270's inquiries, in order. */
  eligibilityBatch(requests: readonly EligibilityRequest270[]) {
    return answerEligibilityBatch(this.deps.pool, this.deps.config, requests, receiverOf, this.today());
  }

  authorization(req: AuthRequest278) {
    return decideAuthorization(this.deps.pool, this.deps.config, req, this.today());
  }
}

/** The 271's receiver: the provider that asked, named with the identifier it used (XX NPI on an inquiry we built). */
const receiverOf = (req: EligibilityRequest270) => ({ name: req.provider.name ?? "PROVIDER", idQualifier: req.provider.idQualifier ?? "XX", id: req.provider.id ?? req.provider.npi ?? "" });

/** The sets a payer takes: 270 inquiries, 278 requests (BHT02 13), 837 claims. */
function isRequest(t: ParsedTransaction): boolean {
  return t.type === "270" || t.type === "837" || (t.type === "278" && t.data !== null && "requester" in t.data);
}

/** Transactions by functional group (GS06), in order: a 999 acknowledges one group. */
function groups(transactions: readonly ParsedTransaction[]): ParsedTransaction[][] {
  const byGroup = new Map<string, ParsedTransaction[]>();
  for (const t of transactions) {
    const group = byGroup.get(t.groupControl);
    if (group === undefined) byGroup.set(t.groupControl, [t]);
    else group.push(t);
  }
  return [...byGroup.values()];
}

/** The sandbox payer's address and technical contact (835 1000A N3, N4, PER*BL): clearly a sandbox. */
const SANDBOX_PAYER_DETAILS = { address: { line1: "1 SANDBOX PAYER WAY", city: "SPRINGFIELD", state: "IL", zip: "62701" }, technicalContact: { name: "SANDBOX PAYER EDI SUPPORT", phone: "8005550100" } };
