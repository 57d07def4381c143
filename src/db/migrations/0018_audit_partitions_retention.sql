-- 0018 the audit log partitioned by month, and its archives (issue 16, point 7; README, "Retention").
--
-- audit_log becomes a table partitioned by RANGE on `chain_month`: the month (UTC) in which the
-- entry was appended. Not `at`: an entry keeps the time it was recorded (a buffered entry, a
-- test's clock), so `at` is not ordered like the chain and a month of `at` would not be one run
-- of seq. `chain_month` defaults to clock_timestamp() at the INSERT, which appends make while
-- holding the chain's advisory lock (audit-log.ts), so it never decreases along the chain: each
-- month's partition holds one contiguous run of seq, which can be archived with the chain head at
-- its end (its anchor) and dropped while the rest still verifies from that anchor. The column is
-- not hashed (it says where a row is stored, not what happened).
--
-- The existing table is converted with its rows: each row's month is the running maximum of its
-- `at` month along seq (monotonic), capped at this month. Append-only triggers, indexes and the
-- service role's grants (0015: SELECT and INSERT only) are carried over; the service role gets no
-- privilege on the partitions themselves (all access goes through audit_log). Partitions are made
-- by the owner (this migration's role) through SECURITY DEFINER functions: the service may ask for
-- this and next months' partitions, and may drop a month only through a function that first checks
-- a verified archive of exactly that month is recorded, and that the month is over six years old
-- (HIPAA, 45 CFR 164.316(b)(2)(i)), whatever the service's settings say.

ALTER TABLE audit_log RENAME TO audit_log_unpartitioned;
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = 'audit_log_unpartitioned'::regclass LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', r.relname, left(r.relname, 40) || '_unpartitioned');
  END LOOP;
END
$$;

CREATE TABLE audit_log (
  LIKE audit_log_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  chain_month date NOT NULL DEFAULT (date_trunc('month', clock_timestamp() AT TIME ZONE 'UTC'))::date
) PARTITION BY RANGE (chain_month);
-- The key must hold the partition key; seq leads it, so "ORDER BY seq" and "seq > n" use it in
-- every partition. seq stays gap-free and unique by the append lock, and verify checks it.
ALTER TABLE audit_log ADD PRIMARY KEY (seq, chain_month);
CREATE INDEX audit_log_run_idx ON audit_log (run_id, seq);
CREATE INDEX audit_log_agent_idx ON audit_log (agent, at);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, seq);
CREATE INDEX audit_log_kind_idx ON audit_log (kind, seq);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_id_idx ON audit_log (id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- One month's partition (owner only): named audit_log_yYYYYmMM, refusing TRUNCATE of its own,
-- no privilege for the service role. False when it exists.
CREATE FUNCTION audit_log_create_partition(p_month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  name text := format('audit_log_y%sm%s', to_char(p_month, 'YYYY'), to_char(p_month, 'MM'));
BEGIN
  IF p_month IS NULL OR p_month <> date_trunc('month', p_month)::date THEN
    RAISE EXCEPTION 'audit_log_create_partition: % is not the first day of a month', p_month USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF to_regclass(name) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)', name, p_month, (p_month + interval '1 month')::date);
  EXECUTE format('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()', name);
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'infusion_rcm_service') THEN
    EXECUTE format('REVOKE ALL ON %I FROM infusion_rcm_service', name);
  END IF;
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION audit_log_create_partition(date) FROM PUBLIC;

-- This month's partition and the next `months_ahead` (at most 24); how many were made. The
-- service calls it at start and from the retention job, so an append never finds no partition.
CREATE FUNCTION audit_log_ensure_partitions(months_ahead integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  this_month date := date_trunc('month', clock_timestamp() AT TIME ZONE 'UTC')::date;
  created integer := 0;
BEGIN
  IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 24 THEN
    RAISE EXCEPTION 'audit_log_ensure_partitions: months_ahead must be 0..24' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Instances starting together: one creates, the other finds.
  PERFORM pg_advisory_xact_lock(1635083369, 1885434484);
  FOR i IN 0..months_ahead LOOP
    IF audit_log_create_partition((this_month + make_interval(months => i))::date) THEN
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END
$$;

-- The rows, with a month that never decreases along seq.
CREATE TEMP TABLE audit_log_months ON COMMIT DROP AS
  SELECT seq, least(
    max(date_trunc('month', at AT TIME ZONE 'UTC')) OVER (ORDER BY seq),
    date_trunc('month', clock_timestamp() AT TIME ZONE 'UTC')
  )::date AS chain_month
  FROM audit_log_unpartitioned;
DO $$
DECLARE m date;
BEGIN
  FOR m IN SELECT DISTINCT chain_month FROM audit_log_months LOOP
    PERFORM audit_log_create_partition(m);
  END LOOP;
  PERFORM audit_log_ensure_partitions(2);
END
$$;
INSERT INTO audit_log SELECT o.*, m.chain_month FROM audit_log_unpartitioned o JOIN audit_log_months m USING (seq) ORDER BY o.seq;
DROP TABLE audit_log_unpartitioned;

-- A month of the chain exported (src/governance/audit-archive.ts): the file, its digest, and the
-- chain's ends in it — the previous entry's hash before its first entry, and its last entry's seq
-- and hash (the anchor the live chain verifies from). Written in the transaction that drops the
-- month's partition, after the file was read back and verified; never changed.
CREATE TABLE audit_archives (
  month           date PRIMARY KEY,
  file            text NOT NULL,
  sha256          text NOT NULL,
  bytes           bigint NOT NULL,
  entries         bigint NOT NULL,
  first_seq       bigint NOT NULL,
  last_seq        bigint NOT NULL,
  first_prev_hash text NOT NULL,
  last_hash       text NOT NULL,
  archived_at     timestamptz NOT NULL,
  archived_by     text NOT NULL
);
CREATE INDEX audit_archives_last_seq_idx ON audit_archives (last_seq);
CREATE TRIGGER audit_archives_no_update BEFORE UPDATE OR DELETE ON audit_archives
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_archives_no_truncate BEFORE TRUNCATE ON audit_archives
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Detaches and drops a month's partition, only when a verified archive of exactly it is recorded
-- (same count, first and last seq, the hash before its first entry and its last hash), it is the
-- oldest month left, it continues the previous archive, no later month holds an earlier seq, and
-- it ended more than six years ago. Returns the entries dropped.
CREATE FUNCTION audit_log_drop_archived_month(p_month date) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET lock_timeout = '10s' AS $$
DECLARE
  name text := format('audit_log_y%sm%s', to_char(p_month, 'YYYY'), to_char(p_month, 'MM'));
  a audit_archives%ROWTYPE;
  prev audit_archives%ROWTYPE;
  n bigint;
  lo bigint;
  hi bigint;
  lo_prev text;
  hi_hash text;
BEGIN
  SELECT * INTO a FROM audit_archives WHERE month = p_month;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit month % has no recorded archive: it is kept', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF (p_month + interval '1 month') > clock_timestamp() - interval '72 months' THEN
    RAISE EXCEPTION 'audit month % is younger than six years: it is kept', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF to_regclass(name) IS NULL THEN
    RAISE EXCEPTION 'audit month % has no partition', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF EXISTS (SELECT 1 FROM audit_log WHERE chain_month < p_month) THEN
    RAISE EXCEPTION 'an audit month before % is still in the database: months are archived oldest first', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  EXECUTE format('SELECT count(*), min(seq), max(seq) FROM %I', name) INTO n, lo, hi;
  IF n > 0 THEN
    SELECT prev_hash INTO lo_prev FROM audit_log WHERE chain_month = p_month AND seq = lo;
    SELECT hash INTO hi_hash FROM audit_log WHERE chain_month = p_month AND seq = hi;
    IF n <> a.entries OR lo <> a.first_seq OR hi <> a.last_seq OR hi - lo + 1 <> n
       OR lo_prev <> a.first_prev_hash OR hi_hash <> a.last_hash THEN
      RAISE EXCEPTION 'audit month % does not match its archive: it is kept', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF EXISTS (SELECT 1 FROM audit_log WHERE chain_month > p_month AND seq <= hi) THEN
      RAISE EXCEPTION 'audit month % is not one run of the chain: it is kept', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
  ELSIF a.entries <> 0 THEN
    RAISE EXCEPTION 'audit month % does not match its archive: it is kept', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  SELECT * INTO prev FROM audit_archives WHERE month < p_month ORDER BY month DESC LIMIT 1;
  IF FOUND THEN
    IF a.first_seq <> prev.last_seq + 1 OR a.first_prev_hash <> prev.last_hash THEN
      RAISE EXCEPTION 'the archive of audit month % does not continue the previous archive', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
  ELSIF a.first_seq <> 1 OR a.first_prev_hash <> repeat('0', 64) THEN
    RAISE EXCEPTION 'the archive of audit month % does not start the chain', p_month USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  EXECUTE format('ALTER TABLE audit_log DETACH PARTITION %I', name);
  EXECUTE format('DROP TABLE %I', name);
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION audit_log_drop_archived_month(date) FROM PUBLIC;

-- The service role: read and append the trail; ask for partitions ahead; read and record archives
-- and drop an archived month through the checks above. Nothing else on them.
REVOKE ALL ON audit_log FROM infusion_rcm_service;
GRANT SELECT, INSERT ON audit_log TO infusion_rcm_service;
REVOKE ALL ON audit_archives FROM infusion_rcm_service;
GRANT SELECT, INSERT ON audit_archives TO infusion_rcm_service;
GRANT EXECUTE ON FUNCTION audit_log_ensure_partitions(integer) TO infusion_rcm_service;
GRANT EXECUTE ON FUNCTION audit_log_drop_archived_month(date) TO infusion_rcm_service;

-- Retention (src/jobs/retention.ts) finds finished runs by age, superseded review items by age,
-- and whether an item is named by another's `superseded_by` (which its deletion must wait for).
CREATE INDEX runs_finished_idx ON runs (updated_at) WHERE status IN ('completed', 'failed');
CREATE INDEX review_items_superseded_idx ON review_items (superseded_at) WHERE status = 'superseded';
CREATE INDEX review_items_superseded_by_idx ON review_items (superseded_by) WHERE superseded_by IS NOT NULL;
