-- 0026 pre-bill passes (issue 18): which visits each pre-bill run finished, written in the
-- transaction that ends the run (AgentDefinition.writeEffects, as pre-service checks are since 0017).
-- A sweep of kind 'pre-bill' reads it to settle its jobs: a visit one of its runs finished is not
-- worked again by a retried job, and one sweep finishes a visit once.
CREATE TABLE claim_runs (
  run_id       text NOT NULL,
  visit_id     text NOT NULL,
  sweep_id     text,
  finished_at  timestamptz NOT NULL,
  PRIMARY KEY (run_id, visit_id)
);
CREATE UNIQUE INDEX claim_runs_sweep_once_idx ON claim_runs (sweep_id, visit_id) WHERE sweep_id IS NOT NULL;

-- A pass of the pre-bill agent over past visits is a sweep like the pre-service ones.
ALTER TABLE sweeps DROP CONSTRAINT sweeps_kind_check;
ALTER TABLE sweeps ADD CONSTRAINT sweeps_kind_check CHECK (kind IN ('manual', 'daily', 'recheck', 'pre-bill'));

-- The audit explorer's person filter (actor LIKE 'user:<id> %'): people's entries are a sliver of
-- the log (agents write nearly all of it), so a partial index on them costs little and spares the
-- scan of a million agent entries. Queries add the same predicate so the planner can use it.
CREATE INDEX audit_log_person_idx ON audit_log (actor text_pattern_ops, seq) WHERE actor NOT LIKE 'agent:%';
