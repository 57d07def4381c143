-- 0016 service instances and their takeover (README, "Running several instances"). Each service
-- instance registers a row with a fresh id at start and beats on it (the database's clock, so
-- the hosts' clocks do not matter); a row whose heartbeat is older than the dead-after setting,
-- neither stopped nor taken over, is a dead instance, claimed by exactly one live one (a
-- conditional UPDATE), which releases the jobs it held and settles the runs it was driving.
CREATE TABLE service_instances (
  id             text PRIMARY KEY,
  host           text NOT NULL,
  pid            integer NOT NULL,
  started_at     timestamptz NOT NULL DEFAULT now(),
  heartbeat_at   timestamptz NOT NULL DEFAULT now(),
  -- A graceful stop: its jobs finished or were left to expire, it is never taken over.
  stopped_at     timestamptz,
  taken_over_by  text,
  taken_over_at  timestamptz
);
-- The takeover's search: only rows that may still be alive.
CREATE INDEX service_instances_live_idx ON service_instances (heartbeat_at) WHERE stopped_at IS NULL AND taken_over_by IS NULL;

-- Which instance fetched a job: pg-boss's job rows do not say. One row per job of any queue,
-- written (or overwritten) in one statement per fetched batch; a lease counts only for the
-- activation it was written in (the job's started_on is not after it), so a job another instance
-- fetched since is never released from under it.
CREATE TABLE job_leases (
  queue        text NOT NULL,
  job_id       uuid NOT NULL,
  instance_id  text NOT NULL,
  leased_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue, job_id)
);
CREATE INDEX job_leases_instance_idx ON job_leases (instance_id);
CREATE INDEX job_leases_leased_at_idx ON job_leases (leased_at);

-- The instance driving a run (set when a run is started or claimed to be resumed or retried).
ALTER TABLE runs ADD COLUMN instance_id text;
CREATE INDEX runs_instance_running_idx ON runs (instance_id) WHERE status = 'running';
