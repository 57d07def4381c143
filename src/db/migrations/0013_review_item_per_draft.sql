-- 0013 One review item per draft (issue 15). A new check of a subject (an appointment) closes the
-- undecided items older runs drafted for it as `superseded` (never decided: they do not count as
-- reviewed in the autonomy record), linked to the run and, where there is one, the item that
-- replaced them. An item names who and what it is about (`about`: patient, appointment, payer),
-- and stores its draft once: the interrupt keeps only the Agent Inbox description and config
-- (the draft, rationale, evidence and summary are columns of their own).
ALTER TABLE review_items DROP CONSTRAINT review_items_status_check;
ALTER TABLE review_items ADD CONSTRAINT review_items_status_check
  CHECK (status IN ('pending', 'accepted', 'edited', 'responded', 'ignored', 'superseded'));
ALTER TABLE review_items
  ADD COLUMN summary text,
  ADD COLUMN idempotency_key text,
  ADD COLUMN about jsonb,
  ADD COLUMN superseded_at timestamptz,
  ADD COLUMN superseded_by_run text REFERENCES runs (id),
  ADD COLUMN superseded_by text REFERENCES review_items (id);
UPDATE review_items SET summary = COALESCE(interrupt->'review'->'proposal'->>'summary', ''),
  idempotency_key = interrupt->'review'->'proposal'->>'idempotencyKey',
  interrupt = jsonb_build_object('config', interrupt->'config', 'description', interrupt->'description');
ALTER TABLE review_items ALTER COLUMN summary SET DEFAULT '', ALTER COLUMN summary SET NOT NULL;
ALTER TABLE review_items ADD CONSTRAINT review_items_superseded_check
  CHECK ((status = 'superseded') = (superseded_at IS NOT NULL AND superseded_by_run IS NOT NULL));
-- The pending items of a subject, found when a new check of it supersedes them.
CREATE INDEX review_items_pending_subject_idx ON review_items (agent, subject_type, subject_id) WHERE status = 'pending';
-- A run's items by subject (GET /v1/runs/:id?appointment=…).
CREATE INDEX review_items_run_subject_idx ON review_items (run_id, subject_id);
