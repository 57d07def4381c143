/**
 * The clearinghouse interface the agents use to talk to payers: eligibility (270/271),
 * authorization (278), claims (837 → 999/277CA, then 835). The sandbox implementation answers
 * from the payer simulator; a real deployment implements the same interface over the
 * clearinghouse's API or SFTP mailbox (see the README).
 */
import type { ParsedTransaction } from "../edi/parse.js";

/** What came back for one submission: the raw X12 (kept) and its typed transactions. */
export interface ClearinghouseReply {
  /** The response interchange(s) as received, kept for the audit trail. */
  raw: string;
  transactions: ParsedTransaction[];
  issues: { code: string; message: string }[];
}

export interface Clearinghouse {
  /** Sends a 270; the reply holds the 271. */
  submitEligibility(x12: string): Promise<ClearinghouseReply>;
  /** Sends a 278 request; the reply holds the 278 response. */
  submitAuthorization(x12: string): Promise<ClearinghouseReply>;
  /** Sends an 837; the reply holds the 999 and the 277CA (and, in the sandbox, the 835 of the accepted claims at once). */
  submitClaims(x12: string): Promise<ClearinghouseReply>;
  /** Remittances (835) waiting in the mailbox since the last call. */
  receiveRemittances(): Promise<ClearinghouseReply[]>;
}
