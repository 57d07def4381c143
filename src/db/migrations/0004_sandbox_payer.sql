-- 0004 sandbox payer: what the simulated payers know — members with accumulators,
-- authorizations, prior-auth requests, adjudicated claims — and the sandbox seeds' truth.
CREATE TABLE payer_members (
  payer_id              text NOT NULL,
  member_id             text NOT NULL,
  plan_id               text NOT NULL,
  first_name            text NOT NULL,
  last_name             text NOT NULL,
  birth_date            date NOT NULL,
  gender                text NOT NULL,
  coverage_start        date NOT NULL,
  coverage_end          date,
  deductible_met        numeric(12, 2) NOT NULL DEFAULT 0,
  oop_met               numeric(12, 2) NOT NULL DEFAULT 0,
  family_deductible_met numeric(12, 2),
  PRIMARY KEY (payer_id, member_id)
);

CREATE TABLE payer_authorizations (
  auth_number     text PRIMARY KEY,
  payer_id        text NOT NULL,
  member_id       text NOT NULL,
  hcpcs           text NOT NULL,
  units_approved  integer NOT NULL,
  units_used      integer NOT NULL DEFAULT 0,
  start_date      date NOT NULL,
  end_date        date NOT NULL,
  diagnosis_codes text[] NOT NULL,
  status          text NOT NULL CHECK (status IN ('approved', 'pended', 'denied', 'cancelled')),
  decide_on       date,
  request_trace   text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payer_authorizations_member_idx ON payer_authorizations (payer_id, member_id, hcpcs);

CREATE TABLE payer_claims (
  payer_id          text NOT NULL,
  claim_id          text NOT NULL,
  payer_claim_id    text NOT NULL,
  member_id         text NOT NULL,
  service_date      date NOT NULL,
  line_keys         text[] NOT NULL,
  status            text NOT NULL,
  charge            numeric(12, 2) NOT NULL,
  paid              numeric(12, 2) NOT NULL,
  patient_resp      numeric(12, 2) NOT NULL,
  received_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (payer_id, payer_claim_id)
);
CREATE INDEX payer_claims_lookup_idx ON payer_claims (payer_id, member_id, service_date);

CREATE TABLE sandbox_seeds (
  id          text PRIMARY KEY,
  seed        integer NOT NULL,
  as_of       date NOT NULL,
  options     jsonb NOT NULL,
  truth       jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
