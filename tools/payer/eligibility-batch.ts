/**
 * Eligibility for many appointments at once, the way clearinghouses take it: one batch 270
 * interchange per payer (ISA08 the payer id; one ST … SE per inquiry), sent through the
 * clearinghouse, and each 271 matched back to its inquiry by the TRN trace it echoes (TRN01 2 in
 * the subscriber or dependent loop) — never by position, since a payer may answer in any order
 * or not at all. Every item comes back with what was sent and received for it (kept for the
 * audit trail) and either the 271 or a failure; the payer's failures (an `AppError` from the
 * clearinghouse: timeout, rejection …) are the failures of every item of that interchange, while
 * anything else (our own bugs) propagates.
 */
import { iterateTransactions, transactionText } from "../edi/envelope.js";
import type { Ack999 } from "../edi/readers/acknowledgments.js";
import type { Eligibility271 } from "../edi/readers/eligibility-271.js";
import type { EligibilityRequest270 } from "../edi/readers/request-270.js";
import { write270Batch } from "../edi/writers/eligibility.js";
import { AppError, BadInputError } from "../errors.js";
import type { Clearinghouse, ClearinghouseReply } from "./clearinghouse.js";

/** One inquiry: the 270 content (its TRN trace comes from the item). */
export type EligibilityInquiry = Omit<EligibilityRequest270, "trace">;

/** An inquiry and the trace (TRN02) that tells its answer apart; traces are unique within a batch. */
export interface EligibilityBatchItem {
  trace: string;
  request: EligibilityInquiry;
}

/** The interchange settings; the receiver is each payer's id, the control number is asked per payer. */
export interface EligibilityBatchEnvelope {
  senderId: string;
  now: Date;
  usage?: "T" | "P";
  /** ISA13/GS06 for the interchange to this payer (1–999999999); distinct per payer for one batch. */
  control: (receiverId: string) => number;
}

/** What happened to one inquiry. */
export interface EligibilityExchange {
  /** The inquiry's ST … SE as sent; "" when it was never sent (no payer id, or content the writer refuses). */
  sent: string;
  /** The matched 271's ST … SE as received (the whole reply when it cannot be cut out); null without a match. */
  received: string | null;
  /** ST02 of the matched 271. */
  control: string | null;
  data: Eligibility271 | null;
  /** Why there is no 271: the clearinghouse's `CODE: message`, or what the reply lacked. Null with a 271. */
  failure: string | null;
}

/** Sends the inquiries, one batch interchange per payer (concurrently), and matches the 271s to them by trace. */
export async function exchangeEligibilityBatch(
  clearinghouse: Clearinghouse,
  items: readonly EligibilityBatchItem[],
  envelope: EligibilityBatchEnvelope,
): Promise<Map<string, EligibilityExchange>> {
  const out = new Map<string, EligibilityExchange>();
  const byPayer = new Map<string, EligibilityRequest270[]>();
  for (const { trace, request } of items) {
    if (out.has(trace)) throw new BadInputError(`Trace ${trace} appears twice in the eligibility batch; each inquiry needs its own`);
    const payerId = request.payer.id;
    out.set(trace, outcome({ failure: payerId === null || payerId === "" ? "the inquiry names no payer id; nothing was sent" : "not sent" }));
    if (payerId === null || payerId === "") continue;
    const group = byPayer.get(payerId) ?? [];
    group.push({ ...request, trace });
    byPayer.set(payerId, group);
  }
  await Promise.all([...byPayer].map(([payerId, requests]) => exchangeWithPayer(clearinghouse, payerId, requests, envelope, out)));
  return out;
}

const outcome = (o: Partial<EligibilityExchange>): EligibilityExchange => ({ sent: "", received: null, control: null, data: null, failure: null, ...o });

async function exchangeWithPayer(clearinghouse: Clearinghouse, payerId: string, requests: EligibilityRequest270[], envelope: EligibilityBatchEnvelope, out: Map<string, EligibilityExchange>): Promise<void> {
  const control = envelope.control(payerId);
  const written = writeBatch(requests, { senderId: envelope.senderId, receiverId: payerId, interchangeControl: control, groupControl: control, now: envelope.now, usage: envelope.usage });
  for (const [trace, failure] of written.refused) out.set(trace, outcome({ failure }));
  if (written.text === null) return;
  // Cut each inquiry's ST … SE out of the interchange: the i-th set is the i-th request sent.
  const sent = new Map<string, { trace: string; text: string }>();
  let n = 0;
  for (const tx of iterateTransactions(written.text, [])) {
    const trace = written.requests[n]?.trace;
    n += 1;
    if (trace == null) continue;
    const text = transactionText(written.text, tx);
    sent.set(tx.controlNumber, { trace, text });
    out.set(trace, outcome({ sent: text }));
  }
  let reply: ClearinghouseReply;
  try {
    reply = await clearinghouse.submitEligibility(written.text);
  } catch (error) {
    // Only the payer's failures become the items' failures; our own bugs still fail the caller.
    if (!(error instanceof AppError)) throw error;
    for (const { trace, text } of sent.values()) out.set(trace, outcome({ sent: text, failure: `${error.code}: ${error.message}` }));
    return;
  }
  match(reply, [...sent], out);
}

/**
 * The batch interchange; when the writer refuses some content (a delimiter in a name …), those
 * inquiries fail on their own and the rest are sent.
 */
function writeBatch(requests: EligibilityRequest270[], envelope: Parameters<typeof write270Batch>[1]): { text: string | null; requests: EligibilityRequest270[]; refused: [string, string][] } {
  try {
    return { text: write270Batch(requests, envelope), requests, refused: [] };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
  const ok: EligibilityRequest270[] = [];
  const refused: [string, string][] = [];
  for (const r of requests) {
    try {
      write270Batch([r], envelope);
      ok.push(r);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      refused.push([r.trace ?? "", `${error.code}: ${error.message}; nothing was sent`]);
    }
  }
  return { text: ok.length === 0 ? null : write270Batch(ok, envelope), requests: ok, refused };
}

/** Gives each sent inquiry the one 271 that echoes its trace, or a failure saying what the reply lacked. */
function match(reply: ClearinghouseReply, sent: [string, { trace: string; text: string }][], out: Map<string, EligibilityExchange>): void {
  const texts = replyTexts(reply);
  const wanted = new Set(sent.map(([, s]) => s.trace));
  const answers = new Map<string, { control: string; data: Eligibility271; received: string }[]>();
  const rejected = new Map<string, string>();
  reply.transactions.forEach((tx, i) => {
    if (tx.type === "271") {
      const data = tx.data as Eligibility271;
      const traces = new Set(data.subjects.flatMap((s) => s.traces.filter((t) => t.type === "2").map((t) => t.number)));
      for (const trace of traces) {
        if (!wanted.has(trace)) continue;
        const list = answers.get(trace) ?? [];
        list.push({ control: tx.controlNumber, data, received: texts?.[i] ?? reply.raw });
        answers.set(trace, list);
      }
    } else if (tx.type === "999") {
      // A clearinghouse may refuse some inquiries in a 999 instead of forwarding them.
      for (const a of (tx.data as Ack999).transactions) {
        if (a.type === "270" && !a.accepted) rejected.set(a.controlNumber, `the 270 was rejected in a 999 (IK5 ${a.status}${a.codes.length > 0 ? ` ${a.codes.join(",")}` : ""})`);
      }
    }
  });
  for (const [stControl, { trace, text }] of sent) {
    const found = answers.get(trace) ?? [];
    const only = found.length === 1 ? found[0] : undefined;
    if (only !== undefined) out.set(trace, outcome({ sent: text, received: only.received, control: only.control, data: only.data }));
    else if (found.length > 1) out.set(trace, outcome({ sent: text, failure: `the reply held ${found.length} 271s for trace ${trace} (ST02 ${found.map((f) => f.control).join(", ")})` }));
    else {
      const why = rejected.get(stControl) ?? `the reply held no 271 for trace ${trace} (${reply.issues.map((i) => i.code).join(", ") || `${reply.transactions.length} transaction set(s)`})`;
      out.set(trace, outcome({ sent: text, failure: why }));
    }
  }
}

/** Each reply transaction's ST … SE text, aligned with `reply.transactions`; null when they cannot be lined up. */
function replyTexts(reply: ClearinghouseReply): string[] | null {
  try {
    const txs = [...iterateTransactions(reply.raw, [])];
    const aligned = txs.length === reply.transactions.length && txs.every((t, i) => t.type === reply.transactions[i]?.type && t.controlNumber === reply.transactions[i]?.controlNumber);
    return aligned ? txs.map((t) => transactionText(reply.raw, t)) : null;
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}
