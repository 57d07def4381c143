-- 0023 the staff inbox (README, "Staff inbox"). A pending review item can be taken by a person or
-- handed to a colleague (`assigned_to`, a user; audited as `review.assigned`). The payer an item is
-- about is kept in two columns of its own (written with the item), so the inbox filters and counts by payer
-- from an index. The inbox lists pending items soonest due first (all tabs, or one agent and
-- action type) and counts them per tab: two partial indexes on the pending items only, which
-- carry every column a filter reads, so a page and the counts are index scans whatever the
-- number of decided items, and counting 10,000 pending items never reads the table.
ALTER TABLE review_items
  ADD COLUMN assigned_to text REFERENCES users (id),
  ADD COLUMN assigned_at timestamptz,
  ADD COLUMN payer_id text,
  ADD COLUMN payer_name text;
-- Items written before: the payer from `about` (since 0022 the service packs `about` into the
-- compressed `detail` and writes the payer's id and name in these columns itself).
UPDATE review_items SET payer_id = about #>> '{payer,id}', payer_name = about #>> '{payer,name}' WHERE about IS NOT NULL;
CREATE INDEX review_items_inbox_idx ON review_items (due_by, created_at, id)
  INCLUDE (agent, action_type, payer_id, confidence, assigned_to) WHERE status = 'pending';
CREATE INDEX review_items_inbox_tab_idx ON review_items (agent, action_type, due_by, created_at, id)
  INCLUDE (payer_id, payer_name, confidence, assigned_to) WHERE status = 'pending';
