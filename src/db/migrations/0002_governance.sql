-- 0002 governance: runs, the hash-chained audit log, review items, executed actions, autonomy.

-- A run is one agent working one subject (an appointment, a claim, a remittance) on one
-- LangGraph thread (thread_id = id); checkpoints live in LangGraph's own tables.
CREATE TABLE runs (
  id            text PRIMARY KEY,
  agent         text NOT NULL,
  subject_type  text NOT NULL,
  subject_id    text NOT NULL,
  status        text NOT NULL CHECK (status IN ('running', 'waiting', 'completed', 'failed')),
  input         jsonb NOT NULL,
  result        jsonb,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_subject_idx ON runs (subject_type, subject_id);
CREATE INDEX runs_agent_status_idx ON runs (agent, status);

-- Append-only, hash-chained: each entry's hash is SHA-256 over the previous hash and the
-- canonical JSON of the entry; seq has no gaps. Updates and deletes are refused below.
CREATE TABLE audit_log (
  seq           bigint PRIMARY KEY,
  id            text NOT NULL UNIQUE,
  at            timestamptz NOT NULL,
  kind          text NOT NULL,
  run_id        text,
  agent         text,
  node          text,
  subject_type  text,
  subject_id    text,
  actor         text NOT NULL,
  payload       jsonb NOT NULL,
  prev_hash     text NOT NULL,
  hash          text NOT NULL
);
CREATE INDEX audit_log_run_idx ON audit_log (run_id, seq);
CREATE INDEX audit_log_agent_idx ON audit_log (agent, at);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- A decision waiting for a person: the Agent Inbox interrupt plus what staff need to decide.
CREATE TABLE review_items (
  id            text PRIMARY KEY,
  run_id        text NOT NULL REFERENCES runs (id),
  interrupt_id  text NOT NULL,
  agent         text NOT NULL,
  action_type   text NOT NULL,
  subject_type  text NOT NULL,
  subject_id    text NOT NULL,
  status        text NOT NULL CHECK (status IN ('pending', 'accepted', 'edited', 'responded', 'ignored')),
  interrupt     jsonb NOT NULL,
  draft         jsonb NOT NULL,
  rationale     text NOT NULL,
  evidence      jsonb NOT NULL,
  confidence    double precision NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  human_only    boolean NOT NULL,
  reason        text NOT NULL,
  due_by        timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  decided_at    timestamptz,
  decided_by    text,
  decision      jsonb,
  edit_before   jsonb,
  edit_after    jsonb,
  UNIQUE (run_id, interrupt_id)
);
CREATE INDEX review_items_queue_idx ON review_items (status, due_by);
CREATE INDEX review_items_agent_idx ON review_items (agent, decided_at);

-- Every action goes through one executor; the idempotency key makes a retried or resumed run
-- execute it at most once.
CREATE TABLE actions (
  id               text PRIMARY KEY,
  idempotency_key  text NOT NULL UNIQUE,
  run_id           text REFERENCES runs (id),
  agent            text NOT NULL,
  action_type      text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL CHECK (status IN ('executing', 'executed', 'failed')),
  result           jsonb,
  error            text,
  executed_by      text NOT NULL,
  attempts         integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX actions_run_idx ON actions (run_id);

-- Autonomy phase per agent and action type ('*' = the agent's default).
CREATE TABLE agent_autonomy (
  agent         text NOT NULL,
  action_type   text NOT NULL DEFAULT '*',
  phase         text NOT NULL CHECK (phase IN ('advisory', 'partial', 'full')),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text NOT NULL,
  justification text NOT NULL,
  PRIMARY KEY (agent, action_type)
);
