-- 0011 sandbox payer dependents: people covered on a subscriber's policy with no member id of
-- their own — a 270 asks about them in its 2000D loop under the subscriber's member id, and the
-- 271 answers in 2000D/2100D/2110D (005010X279A1). Each has its coverage dates and accumulators;
-- the family deductible stays on the subscriber's payer_members row.
CREATE TABLE payer_dependents (
  payer_id        text NOT NULL,
  member_id       text NOT NULL,
  sequence        integer NOT NULL,
  relationship    text NOT NULL,
  first_name      text NOT NULL,
  last_name       text NOT NULL,
  birth_date      date NOT NULL,
  gender          text NOT NULL,
  coverage_start  date NOT NULL,
  coverage_end    date,
  deductible_met  numeric(12, 2) NOT NULL DEFAULT 0,
  oop_met         numeric(12, 2) NOT NULL DEFAULT 0,
  PRIMARY KEY (payer_id, member_id, sequence),
  FOREIGN KEY (payer_id, member_id) REFERENCES payer_members (payer_id, member_id) ON DELETE CASCADE
);

-- How a sandbox member's 271 departs from the plain answer, so the agents meet what real payers
-- send: null (plain), 'pending-investigation' (EB*5 instead of EB*1), 'no-status' (benefits but
-- no EB01 1–8 row), 'answers-for-today' (DTP*307 is the day asked, not the date of service).
ALTER TABLE payer_members ADD COLUMN eligibility_style text;
