-- 0014 keyed audit chain: each entry names the key its HMAC-SHA-256 is under (src/governance/
-- audit-keys.ts). Entries written before have no key id and keep their plain SHA-256 hash; they
-- verify as before, as the chain's first entries only. Adding a nullable column rewrites nothing
-- and fires no row trigger: the table stays append-only.
ALTER TABLE audit_log ADD COLUMN key_id text;
