-- 0025 claims (issue 18, "Claims to the payer and back"): every visit's claim from capture to the
-- payer's acknowledgment — what charge capture produced, what the scrubber found and corrected,
-- each submission's 837 as sent with the 999 and 277CA that answered it, and the claim's history.

-- One claim per visit. `id` is the claim's patient control number (837 CLM01): a stable short id
-- derived from the visit (src/claims/claim-ids.ts), 20 characters at most — the TR3 allows 38, but
-- many payers keep only 20 and echo the truncated number in the 277CA and 835.
CREATE TABLE claims (
  id               text PRIMARY KEY CHECK (char_length(id) <= 20),
  visit_id         text NOT NULL UNIQUE,
  patient_id       text NOT NULL,
  payer_id         text NOT NULL,
  payer_name       text NOT NULL,
  form             text NOT NULL CHECK (form IN ('837P', '837I')),
  date_of_service  date NOT NULL,
  status           text NOT NULL CHECK (status IN ('captured', 'scrubbed', 'corrected', 'submitted', 'accepted', 'rejected', 'adjudicated')),
  total_charge     numeric(12, 2) NOT NULL,
  -- The claim model (tools/claim/claim.ts) as captured, and as the scrubber corrected it (null: no correction).
  captured_claim   jsonb NOT NULL,
  corrected_claim  jsonb,
  -- The scrubber's findings, each with its code, line, before → after, confidence and rationale.
  findings         jsonb NOT NULL DEFAULT '[]',
  -- Why the payer (277CA) or clearinghouse (999) rejected the latest submission; null otherwise.
  rejection        jsonb,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX claims_dos_idx ON claims (date_of_service, id);
CREATE INDEX claims_status_dos_idx ON claims (status, date_of_service, id);
CREATE INDEX claims_payer_dos_idx ON claims (payer_id, date_of_service, id);

-- The claim's history: one row per status it entered, in order, with who and why.
CREATE TABLE claim_events (
  claim_id  text NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
  seq       integer NOT NULL,
  status    text NOT NULL CHECK (status IN ('captured', 'scrubbed', 'corrected', 'submitted', 'accepted', 'rejected', 'adjudicated')),
  at        timestamptz NOT NULL,
  actor     text NOT NULL,
  detail    jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (claim_id, seq)
);

-- Each submission of a claim. The row is written — with the 837 and its interchange control
-- number — in the transaction that marks the claim submitted, before the clearinghouse is called
-- (like a run's effects, 0017): a crash after the call leaves a row 'sending', which no retry sends
-- again (it is in doubt until a person or the clearinghouse's mailbox settles it). Attempt n+1
-- exists only after the claim was corrected following a rejection.
CREATE SEQUENCE claim_interchange_control_seq MINVALUE 1 MAXVALUE 999999999 CYCLE;
CREATE TABLE claim_submissions (
  claim_id             text NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
  attempt              integer NOT NULL CHECK (attempt >= 1),
  interchange_control  integer NOT NULL,
  state                text NOT NULL CHECK (state IN ('sending', 'answered', 'failed')),
  x12_sent             text NOT NULL,
  sent_at              timestamptz NOT NULL,
  answered_at          timestamptz,
  -- The 999 and the 277CA as received (raw X12), and what they said for this claim.
  ack_999              text,
  ack_277ca            text,
  outcome              text CHECK (outcome IN ('accepted', 'rejected')),
  parsed               jsonb,
  error                text,
  PRIMARY KEY (claim_id, attempt)
);
