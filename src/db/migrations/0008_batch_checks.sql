-- 0008 batch checks: one agent run may check a batch of appointments (a sweep batch), so a
-- pre-service check is one per run, agent and appointment instead of one per run and agent.
-- (0006 declared UNIQUE (run_id, agent) in its CREATE TABLE: PostgreSQL named it
-- pre_service_checks_run_id_agent_key.)
ALTER TABLE pre_service_checks DROP CONSTRAINT pre_service_checks_run_id_agent_key;
ALTER TABLE pre_service_checks ADD CONSTRAINT pre_service_checks_run_id_agent_appointment_id_key UNIQUE (run_id, agent, appointment_id);
