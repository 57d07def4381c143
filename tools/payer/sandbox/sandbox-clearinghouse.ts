/** The clearinghouse interface, answered by the sandbox payer in-process. */
import { parseX12 } from "../../edi/parse.js";
import type { Clearinghouse, ClearinghouseReply } from "../clearinghouse.js";
import type { SandboxPayer } from "./sandbox-payer.js";

export class SandboxClearinghouse implements Clearinghouse {
  private readonly mailbox: ClearinghouseReply[] = [];

  constructor(private readonly payer: SandboxPayer) {}

  private async exchange(x12: string): Promise<ClearinghouseReply> {
    const raw = await this.payer.handle(x12);
    const { transactions, issues } = parseX12(raw);
    return { raw, transactions, issues: issues.map((i) => ({ code: i.code, message: i.message })) };
  }

  submitEligibility(x12: string): Promise<ClearinghouseReply> {
    return this.exchange(x12);
  }

  submitAuthorization(x12: string): Promise<ClearinghouseReply> {
    return this.exchange(x12);
  }

  async submitClaims(x12: string): Promise<ClearinghouseReply> {
    const reply = await this.exchange(x12);
    // The sandbox adjudicates at once; the 835 also lands in the mailbox as a real one would.
    const remits = reply.transactions.filter((t) => t.type === "835");
    if (remits.length > 0) this.mailbox.push({ raw: reply.raw, transactions: remits, issues: reply.issues });
    return reply;
  }

  async receiveRemittances(): Promise<ClearinghouseReply[]> {
    return this.mailbox.splice(0, this.mailbox.length);
  }
}
