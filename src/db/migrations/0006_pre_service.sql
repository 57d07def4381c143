-- 0006 pre-service: what the eligibility and prior-auth agents find before each infusion, the
-- clinic's authorization ledger, the auth requests it sends, and the sweeps that drive them.

-- One check of one appointment by one agent (eligibility or prior-auth). The agent records its
-- facts here when it decides, whatever the gate then does with its proposals; the scorecard reads
-- the latest check per appointment and agent.
CREATE TABLE pre_service_checks (
  id              text PRIMARY KEY,
  agent           text NOT NULL,
  run_id          text NOT NULL,
  sweep_id        text,
  appointment_id  text NOT NULL,
  patient_id      text NOT NULL,
  date_of_service date NOT NULL,
  checked_at      timestamptz NOT NULL,
  outcome         text NOT NULL CHECK (outcome IN ('clean', 'exception')),
  -- Stable exception reason codes (coverage-inactive, aaa-rejection, pharmacy-benefit-buy-and-bill …).
  reasons         text[] NOT NULL DEFAULT '{}',
  facts           jsonb NOT NULL,
  -- The patient's estimated share of the visit (eligibility), when one was produced.
  estimate        jsonb,
  UNIQUE (run_id, agent)
);
CREATE INDEX pre_service_checks_appt_idx ON pre_service_checks (appointment_id, agent, checked_at);
CREATE INDEX pre_service_checks_dos_idx ON pre_service_checks (date_of_service);

-- The clinic's authorization ledger: authorizations on file (entered by staff or imported from
-- the practice-management system) and those the prior-auth agent obtained with a 278.
CREATE TABLE authorizations (
  auth_number     text NOT NULL,
  payer_id        text NOT NULL,
  patient_id      text NOT NULL,
  member_id       text NOT NULL,
  hcpcs           text NOT NULL,
  status          text NOT NULL CHECK (status IN ('approved', 'pended', 'denied', 'cancelled')),
  units_approved  integer NOT NULL CHECK (units_approved >= 0),
  -- Units used before the ledger started tracking (imported history).
  units_used_prior integer NOT NULL DEFAULT 0 CHECK (units_used_prior >= 0),
  start_date      date NOT NULL,
  end_date        date NOT NULL,
  diagnosis_codes text[] NOT NULL DEFAULT '{}',
  source          text NOT NULL CHECK (source IN ('on-file', '278', 'staff')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (payer_id, auth_number),
  CHECK (end_date >= start_date)
);
CREATE INDEX authorizations_patient_idx ON authorizations (patient_id, hcpcs);

-- Per-cycle ledger: the units each visit draws from an authorization (one row per visit).
CREATE TABLE authorization_usage (
  payer_id        text NOT NULL,
  auth_number     text NOT NULL,
  appointment_id  text NOT NULL,
  date_of_service date NOT NULL,
  units           integer NOT NULL CHECK (units >= 0),
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (payer_id, auth_number, appointment_id),
  FOREIGN KEY (payer_id, auth_number) REFERENCES authorizations (payer_id, auth_number)
);

-- Authorization requests the clinic sent (278, with the equivalent FHIR PAS bundle), followed
-- until the payer decides.
CREATE TABLE authorization_requests (
  id              text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  appointment_id  text NOT NULL,
  patient_id      text NOT NULL,
  payer_id        text NOT NULL,
  member_id       text NOT NULL,
  hcpcs           text NOT NULL,
  units           integer NOT NULL,
  trace           text NOT NULL,
  status          text NOT NULL CHECK (status IN ('submitted', 'pended', 'approved', 'modified', 'denied', 'rejected')),
  auth_number     text,
  decision        jsonb,
  x12_request     text NOT NULL,
  x12_response    text,
  pas_bundle      jsonb NOT NULL,
  next_check_on   date,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX authorization_requests_pending_idx ON authorization_requests (status, next_check_on);
CREATE INDEX authorization_requests_appt_idx ON authorization_requests (appointment_id, hcpcs);

-- A sweep: every appointment in a date range checked by the pre-service agents, one job each.
CREATE TABLE sweeps (
  id          text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('manual', 'daily', 'recheck')),
  from_date   date NOT NULL,
  to_date     date NOT NULL,
  status      text NOT NULL CHECK (status IN ('running', 'completed')),
  total       integer NOT NULL DEFAULT 0,
  requested_by text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE sweep_items (
  sweep_id        text NOT NULL REFERENCES sweeps (id),
  appointment_id  text NOT NULL,
  status          text NOT NULL CHECK (status IN ('queued', 'done', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  runs            jsonb,
  error           text,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sweep_id, appointment_id)
);
CREATE INDEX sweep_items_status_idx ON sweep_items (sweep_id, status);
