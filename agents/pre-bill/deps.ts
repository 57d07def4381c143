/**
 * What the pre-bill agent is built from: where visits come from, the scrubber, the claim desk
 * (the claims store and the clearinghouse behind it) and the EHR for documentation queries. All
 * injected; nothing here reads the environment or constructs a client.
 */
import type pg from "pg";
import type { Claim } from "../../tools/claim/claim.js";
import type { VisitRecord, VisitRecordInput } from "../../tools/claim/visit-record.js";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import type { ScrubResult, Scrubber } from "./scrub-result.js";

/** Builds one visit's record: the EHR's encounter, MAR and charges, the authorizations on file and the payer rules in force. */
export interface VisitSource {
  /** The record as read (load-visit validates it against the visit record's schema). */
  loadVisit(visitId: string): Promise<VisitRecordInput>;
}

/** What a submission came to. */
export interface SubmissionOutcome {
  claimId: string;
  status: "accepted" | "rejected" | "submitted";
  /** Why the payer or clearinghouse rejected it, in its words (999 / 277CA). */
  reasons: string[];
}

/** The claims store and the clearinghouse, as the agent uses them. */
export interface ClaimDesk {
  /** The claim id of a visit's claim (stable: the same visit always has the same claim). */
  claimIdFor(visitId: string): string;
  /**
   * Records the captured claim and its scrub (findings; no correction applied), each status with its
   * `claim.status` entry in one transaction. Idempotent for the capture; a claim already at the
   * payer is not scrubbed again (ConflictError).
   */
  recordScrub(entry: { visitId: string; record: VisitRecord; scrub: ScrubResult; runId: string; sweepId: string | null; at: Date }): Promise<void>;
  /**
   * Marks the visits a run finished, on the transaction that ends the run: what a pass reads to
   * settle its jobs; one pass finishes a visit once (ConflictError otherwise).
   */
  markFinished(client: pg.PoolClient, run: { runId: string; visits: { visitId: string; sweepId: string | null }[]; at: Date }): Promise<void>;
  /** Replaces the claim to send by the corrected one. */
  applyCorrections(claimId: string, corrected: Claim, context: { by: string; idempotencyKey: string; findings: string[] }): Promise<void>;
  /** Writes the 837, sends it and reads the acknowledgments; sends at most once per key. */
  submit(claimId: string, claim: Claim, context: { by: string; idempotencyKey: string }): Promise<SubmissionOutcome>;
}

export interface PreBillDeps {
  visits: VisitSource;
  scrub: Scrubber;
  claims: ClaimDesk;
  ehr: EhrClient;
}
