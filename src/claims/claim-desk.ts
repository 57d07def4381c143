/**
 * The claim desk the pre-bill agent works through: the claim store (captured claims, scrubs,
 * corrections) and submission through the clearinghouse, bound to the clinic's submitter identity.
 * What a person approved is what is sent: a submission whose claim differs from the one on file
 * records it as the correction first.
 */
import type pg from "pg";
import type { ClaimDesk, SubmissionOutcome } from "../../agents/pre-bill/deps.js";
import { Claim } from "../../tools/claim/claim.js";
import type { ClaimParties } from "../../tools/edi/writers/claim-837.js";
import { NotFoundError } from "../../tools/errors.js";
import type { Clearinghouse } from "../../tools/payer/clearinghouse.js";
import { claimIdFor } from "./claim-ids.js";
import { claimToSend, readClaim, recordCapturedClaimOn, recordScrub, recordScrubOn, type StoredFinding } from "./claim-store.js";
import { submitClaim } from "./claim-submission.js";

/** The clinic as submitter on the 837 (ISA06/GS02, 1000A) and the clearinghouse as receiver. */
export interface ClaimDeskOptions {
  pool: pg.Pool;
  clearinghouse: Clearinghouse;
  parties: ClaimParties;
  senderId: string;
  receiverId: string;
  now: () => Date;
}

/** The claim desk over the claim store. */
export function claimDesk(o: ClaimDeskOptions): ClaimDesk {
  return {
    claimIdFor,
    async recordScrub(client, { visitId, record, scrub, runId, sweepId, at }) {
      const actor = "agent:pre-bill";
      const claim = await recordCapturedClaimOn(client, { visitId, patientId: record.patient.id, claim: scrub.captured, actor, runId, now: () => at });
      // The findings only: corrections apply when `correct-claim` executes (a person's or the gate's decision).
      await recordScrubOn(client, claim.id, { findings: scrub.findings as unknown as StoredFinding[], corrected: null, actor, runId, sweepId, now: () => at });
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
      if (JSON.stringify(approved) !== JSON.stringify(Claim.parse(claimToSend(stored))) && ["captured", "scrubbed", "corrected", "rejected"].includes(stored.status)) {
        await recordScrub(o.pool, claimId, { findings: stored.findings, corrected: approved, actor: by, now: o.now });
      }
      const result = await submitClaim(o.pool, claimId, o.clearinghouse, { parties: o.parties, senderId: o.senderId, receiverId: o.receiverId, actor: by, now: o.now });
      return {
        claimId, status: result.outcome === "accepted" || result.outcome === "rejected" ? result.outcome : "submitted",
        reasons: result.reasons.map((r) => `${r.source} ${r.code}: ${r.message}`),
      };
    },
  };
}
