-- 0021 the audit log's fixed cost per entry made smaller (issue 16, point 7; README, "Storage per
-- appointment"). An entry's payload is stored compressed since 0019; what was left of a row was
-- mostly its fixed columns and six indexes (≈ 15 entries an appointment). Nothing an entry says
-- changes, and nothing the chain signs: the hash is over the same canonical text as before.
--
-- - `prev_hash` and `hash` become bytea: the 32 bytes of the HMAC (or, for entries written before
--   the chain was keyed, the SHA-256) instead of 64 hex characters (65 bytes stored → 33). The
--   service reads them back as hex (src/governance/audit-log.ts, `hashText`). A stored value that
--   is not 64 lower-case hex characters (none is written so; only an edited row could hold one)
--   is kept as its text's bytes, so it reads back exactly as it was and verify still names it.
-- - The index on `id` is dropped: no query looks an entry up by its id (queries go by run,
--   subject, kind, agent, time and seq), and ids are random UUIDs, never checked for uniqueness
--   by the database since 0018 (a partitioned table's unique index must hold the partition key).
-- - The btree on `at` stays (a BRIN index would save ≈ 0.3 KiB an appointment, but the audit
--   explorer's date search looks up the last entry before a time, ORDER BY at LIMIT 1, which only
--   a btree answers without reading the month: src/governance/audit-search.ts).
--
-- The table stays append-only: a column type change rewrites the table without firing its row
-- triggers (as 0009 and 0019 did) and keeps its grants (the service role: SELECT and INSERT only);
-- on a table partitioned by month the change on the parent is made on every partition, and the
-- indexes on the parent are made (and dropped) on every partition, later ones included.

CREATE FUNCTION audit_log_hash_text(stored bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN octet_length(stored) = 32 THEN encode(stored, 'hex') ELSE convert_from(stored, 'UTF8') END
$$;

ALTER TABLE audit_log
  ALTER COLUMN prev_hash TYPE bytea USING CASE WHEN prev_hash ~ '^[0-9a-f]{64}$' THEN decode(prev_hash, 'hex') ELSE convert_to(prev_hash, 'UTF8') END,
  ALTER COLUMN hash TYPE bytea USING CASE WHEN hash ~ '^[0-9a-f]{64}$' THEN decode(hash, 'hex') ELSE convert_to(hash, 'UTF8') END;

DROP INDEX audit_log_id_idx;

-- The archived month's ends, compared with its record as hex (audit_archives keeps hex text).
CREATE OR REPLACE FUNCTION audit_log_drop_archived_month(p_month date) RETURNS bigint
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
    SELECT audit_log_hash_text(prev_hash) INTO lo_prev FROM audit_log WHERE chain_month = p_month AND seq = lo;
    SELECT audit_log_hash_text(hash) INTO hi_hash FROM audit_log WHERE chain_month = p_month AND seq = hi;
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
