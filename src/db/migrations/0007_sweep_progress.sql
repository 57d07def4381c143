-- 0007 sweep progress: the date of service on each sweep item (so the scorecard can find
-- appointments whose runs failed before any check was recorded), and the indexes the sweep
-- progress and scorecard queries read by.
ALTER TABLE sweep_items ADD COLUMN date_of_service date;
CREATE INDEX sweep_items_dos_idx ON sweep_items (date_of_service);
CREATE INDEX pre_service_checks_sweep_idx ON pre_service_checks (sweep_id, appointment_id);
CREATE INDEX sweeps_created_idx ON sweeps (created_at DESC);
CREATE INDEX sweeps_running_idx ON sweeps (status) WHERE status = 'running';
