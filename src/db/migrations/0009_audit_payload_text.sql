-- 0009 audit payload as json: each entry's payload is written as the canonical JSON text its hash
-- was computed over, and `json` keeps that text as written, where `jsonb` re-encoded it (and
-- re-encoding every entry was most of the embedded database's work in a sweep). Nothing queries
-- payload contents in SQL; reads parse it as before. The table stays append-only: a column type
-- change rewrites the table without firing its row triggers.
ALTER TABLE audit_log ALTER COLUMN payload TYPE json USING payload::json;
