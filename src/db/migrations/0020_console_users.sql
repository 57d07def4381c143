-- 0020 the web console's people (README, "The console"). People sign in as users, not with API
-- keys: a role each (staff, council, admin, and a read-only finance role for leaders), a scrypt
-- password hash (or an OpenID Connect subject), and sessions stored here so that any instance
-- can serve any signed-in person. A session's token is never stored: its SHA-256 is.
CREATE TABLE users (
  id                    text PRIMARY KEY,
  -- Lower-case sign-in name, unique.
  username              text NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 1 AND 64),
  display_name          text NOT NULL,
  role                  text NOT NULL CHECK (role IN ('staff', 'council', 'admin', 'finance')),
  -- scrypt$N$r$p$salt$hash (base64url); null for a person who signs in only through OpenID Connect.
  password_hash         text,
  -- A one-time password (first start, a reset) must be changed at the next sign-in.
  must_change_password  boolean NOT NULL DEFAULT false,
  oidc_subject          text UNIQUE,
  created_at            timestamptz NOT NULL DEFAULT now(),
  created_by            text NOT NULL,
  disabled_at           timestamptz,
  last_sign_in_at       timestamptz,
  -- Sign-in throttling per account (per address is in memory): failures since the last success.
  failed_sign_ins       integer NOT NULL DEFAULT 0,
  locked_until          timestamptz
);
CREATE INDEX users_active_role_idx ON users (role) WHERE disabled_at IS NULL;

CREATE TABLE user_sessions (
  token_hash    text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- Idle timeout counts from here; it is moved at most once a minute per session.
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  -- Absolute end, whatever the activity.
  expires_at    timestamptz NOT NULL,
  ended_at      timestamptz
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id);
