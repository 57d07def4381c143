/**
 * The sandbox payer speaking X12 text: 270 → 271, 278 → 278 response, 837 → 999 followed by
 * 835. Clearly a sandbox — a simulator of payers configured in a JSON file.
 */
import type pg from "pg";
import type { CodingTables } from "../../coding/coding-tables.js";
import type { X12Issue } from "../../edi/issues.js";
import { parseX12 } from "../../edi/parse.js";
import { SegmentScanner } from "../../edi/tokenizer.js";
import type { Ack999 } from "../../edi/readers/acknowledgments.js";
import type { ReceivedClaim } from "../../edi/readers/claim-837.js";
import type { AuthRequest278 } from "../../edi/readers/request-278.js";
import type { EligibilityRequest270 } from "../../edi/readers/request-270.js";
import { write278Response } from "../../edi/writers/authorization.js";
import { write271Batch } from "../../edi/writers/eligibility.js";
import { write835, write999 } from "../../edi/writers/remittance.js";
import { BadInputError } from "../../errors.js";
import { adjudicateClaims } from "./adjudication.js";
import { decideAuthorization } from "./authorization.js";
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

  /** Handles one X12 interchange; returns the response interchange(s) as text. */
  async handle(text: string): Promise<string> {
    const { transactions, issues } = parseX12(text);
    const first = transactions[0];
    if (first === undefined) throw new BadInputError("No transaction set in the X12 input", { code: "INVALID_X12", details: { issues } });
    // Answer to whoever sent it: ISA06 of the request.
    const sender = new SegmentScanner(text).next()?.elements[5]?.trim() || "INFUSIONRCM";
    switch (first.type) {
      case "270": {
        // One 271 interchange answering every inquiry in order (for a single 270, exactly write271's),
        // the members read up front rather than one statement per inquiry.
        const answers = await this.eligibilityBatch(transactions.map((t) => t.data as EligibilityRequest270));
        return write271Batch(answers, this.envelope(sender));
      }
      case "278": {
        const out: string[] = [];
        for (const t of transactions) out.push(write278Response(await this.authorization(t.data as AuthRequest278), this.envelope(sender)));
        return out.join("");
      }
      case "837": {
        const ack = acknowledge(transactions.map((t) => ({ control: t.controlNumber, claims: (t.data as ReceivedClaim[]).length })), issues);
        const accepted = transactions.filter((t) => ack.transactions.find((a) => a.controlNumber === t.controlNumber)?.accepted === true);
        const claims = accepted.flatMap((t) => t.data as ReceivedClaim[]);
        const remits = claims.length === 0 ? [] : await adjudicateClaims(this.deps.pool, this.deps.config, this.deps.tables, claims, this.today());
        return write999(ack, this.envelope(sender)) + remits.map((r) => write835(r, this.envelope(sender))).join("");
      }
      default:
        throw new BadInputError(`The sandbox payer does not accept ${first.type} transactions (send 270, 278 or 837)`, { code: "INVALID_X12" });
    }
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

/** The 271's receiver: the provider that asked. */
const receiverOf = (req: EligibilityRequest270) => ({ name: req.provider.name ?? "PROVIDER", npi: req.provider.npi ?? "" });

/** A 999 for the 837 transaction sets: rejected where the envelope or content had errors. */
export function acknowledge(sets: { control: string; claims: number }[], issues: X12Issue[]): Ack999 {
  const transactions = sets.map((s) => {
    const errors = issues.filter((i) => i.transactionControlNumber === s.control && i.severity === "error");
    return {
      type: "837", controlNumber: s.control, status: errors.length === 0 ? "A" : "R", accepted: errors.length === 0,
      codes: errors.length === 0 ? [] : ["5"],
      errors: errors.slice(0, 10).map((e) => ({ segmentId: e.segmentId ?? "", segmentPosition: e.segmentIndex, loop: null, code: "8", elements: e.elementPosition === undefined ? [] : [{ position: String(e.elementPosition), code: "7", badValue: null }] })),
    };
  });
  const accepted = transactions.filter((t) => t.accepted).length;
  return {
    functionalId: "HC", groupControl: "1", groupStatus: accepted === transactions.length ? "A" : accepted === 0 ? "R" : "P",
    transactions, counts: { included: transactions.length, received: transactions.length, accepted },
  };
}
