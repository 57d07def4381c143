/**
 * The claim desk the pre-bill agent works through: the claim store (captured claims, scrubs,
 * corrections) and submission through the clearinghouse, bound to the clinic's submitter identity.
 * What a person approved is what is sent: a submission whose claim differs from the one on file
 * records it as the correction first.
 */
import type pg from "pg";
import type { ClaimDesk, SubmissionOutcome } from "../../agents/pre-bill/deps.js";
import { Claim } from "../../tools/claim/claim.js";
import { withTransaction } from "../db/database.js";
import type { ClaimParties } from "../../tools/edi/writers/claim-837.js";
import { ConflictError, NotFoundError } from "../../tools/errors.js";
import type { Clearinghouse } from "../../tools/payer/clearinghouse.js";
import { claimIdFor } from "./claim-ids.js";
import { SCRUBBABLE, claimToSend, readClaim, recordCapturedClaimOn, recordScrub, recordScrubOn, type StoredFinding } from "./claim-store.js";
import { submitClaim } from "./claim-submission.js";

/** The clinic as submitter on the 837 (ISA06/GS02 its NPI, 1000A name and billing contact); the receiver (1000B, ISA08) is each claim's payer. */
export interface ClaimDeskOptions {
  pool: pg.Pool;
  clearinghouse: Clearinghouse;
  submitter: ClaimParties["submitter"];
  now: () => Date;
}

/** The claim desk over the claim store. */
export function claimDesk(o: ClaimDeskOptions): ClaimDesk {
  return {
    claimIdFor,
    async recordScrub({ visitId, record, scrub, runId, sweepId, at }) {
      const actor = "agent:pre-bill";
      await withTransaction(o.pool, async (client) => {
        const claim = await recordCapturedClaimOn(client, { visitId, patientId: record.patient.id, claim: scrub.captured, actor, runId, now: () => at });
        // The findings only: corrections apply when `correct-claim` executes (a person's or the gate's decision).
        await recordScrubOn(client, claim.id, { findings: scrub.findings as unknown as StoredFinding[], corrected: null, actor, runId, sweepId, now: () => at });
      });
    },
    async markFinished(client, { runId, visits, at }) {
      if (visits.length === 0) return;
      try {
        await client.query(
          `INSERT INTO claim_runs (run_id, visit_id, sweep_id, finished_at)
           SELECT $1, v.visit_id, v.sweep_id, $2 FROM unnest($3::text[], $4::text[]) AS v(visit_id, sweep_id) ON CONFLICT (run_id, visit_id) DO NOTHING`,
          [runId, at, visits.map((v) => v.visitId), visits.map((v) => v.sweepId)],
        );
      } catch (error) {
        const e = error as { code?: string; message?: string };
        if (e.code !== "23505" || e.message?.includes("claim_runs_sweep_once_idx") !== true) throw error;
        throw new ConflictError(`Run ${runId} billed visits its pass had already finished; its drafts are not kept`, { cause: error });
      }
    },
    async applyCorrections(claimId, corrected, { by }) {
      const stored = await readClaim(o.pool, claimId);
      if (stored === null) throw new NotFoundError(`No claim ${claimId}`);
      await recordScrub(o.pool, claimId, { findings: stored.findings, corrected, actor: by, now: o.now });
    },
    async submit(claimId, claim, { by }): Promise<SubmissionOutcome> {
      const stored = await readClaim(o.pool, claimId);
      if (stored === null) throw new NotFoundError(`No claim ${claimId}`);
      const approved = Claim.parse({ ...claim, claimId });
      if (JSON.stringify(approved) !== JSON.stringify(Claim.parse(claimToSend(stored))) && SCRUBBABLE.includes(stored.status)) {
        await recordScrub(o.pool, claimId, { findings: stored.findings, corrected: approved, actor: by, now: o.now });
      }
      const parties: ClaimParties = { submitter: o.submitter, receiver: { name: stored.payerName, id: stored.payerId } };
      const result = await submitClaim(o.pool, claimId, o.clearinghouse, { parties, senderId: o.submitter.id, receiverId: stored.payerId, actor: by, now: o.now });
      return {
        claimId, status: result.outcome === "accepted" || result.outcome === "rejected" ? result.outcome : "submitted",
        reasons: result.reasons.map((r) => `${r.source} ${r.code}: ${r.message}`),
      };
    },
  };
}
