-- 0022 a review item's rationale, evidence and `about` stored compressed, and an index no query
-- needs dropped (issue 16, point 7; README, "Storage per appointment").
--
-- review_items: the rationale (text), the evidence and who and what the item is about (jsonb) were
-- ≈ 1.4 KiB of an item's 2.7 KiB; no query reads inside them (the item is read whole, by id, run or
-- queue filter), and a row of ≈ 2.7 KiB is barely over the size at which PostgreSQL compresses
-- (TOAST), so they were stored as is. The service now writes them as one canonical JSON text in
-- `detail`, compressed like an audit payload (a format marker, then deflate with the audit log's
-- preset dictionary: src/governance/audit-payload.ts), and leaves the three columns null. The draft
-- stays `jsonb` (duplicate checks and tools read inside it). Items written before keep their
-- columns and `detail` null, and read the same (src/governance/reviews.ts, `storedDetail`).
--
-- pre_service_checks_sweep_idx (sweep_id, appointment_id): the sweep's own reads go by sweep_id
-- (served by the unique index on (sweep_id, agent, appointment_id) of 0017) or by appointments of
-- a sweep (served by pre_service_checks_appt_idx, which leads with appointment_id).
ALTER TABLE review_items
  ADD COLUMN detail bytea,
  ALTER COLUMN rationale DROP NOT NULL,
  ALTER COLUMN evidence DROP NOT NULL;
ALTER TABLE review_items ADD CONSTRAINT review_items_detail_stored
  CHECK (detail IS NOT NULL OR (rationale IS NOT NULL AND evidence IS NOT NULL));

DROP INDEX pre_service_checks_sweep_idx;
