-- 0017 a run's effects commit with its end (issue 16, point 2). A pre-service agent's checks and
-- ledger draws are no longer written by its nodes while the run is under way: the run's state
-- carries them, and the transaction that first ends the run (waiting for a person, or completed)
-- writes them with its review items, status and audit entries. `effects_written_at` says that
-- transaction happened, so a later drive of the run (a resume, a retry) never writes them again.
ALTER TABLE runs ADD COLUMN effects_written_at timestamptz;

-- A sweep checks an appointment once per agent: a retry of its job after a crash finds the check
-- and starts no second run; a second check of the same (sweep, agent, appointment) is refused
-- here whatever path it takes. Re-checks are other sweeps (the daily and recheck sweeps have ids
-- of their own); checks outside sweeps (sweep_id NULL) are not constrained.
-- Checks written twice by a retry before this migration (the defect it fixes): the latest of each
-- (sweep, agent, appointment) keeps its sweep, the older ones keep their run but leave the sweep
-- (its results already read only the latest check per appointment and agent).
UPDATE pre_service_checks c SET sweep_id = NULL
FROM (
  SELECT id, row_number() OVER (PARTITION BY sweep_id, agent, appointment_id ORDER BY checked_at DESC, id DESC) AS n
  FROM pre_service_checks WHERE sweep_id IS NOT NULL
) d
WHERE c.id = d.id AND d.n > 1;
CREATE UNIQUE INDEX pre_service_checks_sweep_once_idx ON pre_service_checks (sweep_id, agent, appointment_id) WHERE sweep_id IS NOT NULL;
-- (It serves the sweep worker's look-up of what a sweep already checked; 0007's index on
-- (sweep_id, appointment_id) stays for the sweep's results.)
