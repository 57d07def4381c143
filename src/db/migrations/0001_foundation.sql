-- 0001 foundation: the vector extension every later table may use, and API keys.
CREATE EXTENSION IF NOT EXISTS vector;

-- API keys are stored as SHA-256 hashes of the secret; the secret is shown once, at creation.
CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('staff', 'council', 'admin', 'service')),
  key_hash    text NOT NULL UNIQUE,
  key_prefix  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text,
  last_used_at timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX api_keys_active_idx ON api_keys (role) WHERE revoked_at IS NULL;
