-- Up Migration
-- Patient accounts and their server-side sessions.
CREATE TABLE accounts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

-- Only a hash of the session token is stored: a database leak does not yield live sessions.
CREATE TABLE sessions (
  token_hash   bytea PRIMARY KEY,
  account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX sessions_account_idx ON sessions (account_id);

-- Failed sign-ins per account, shared by every API process.
CREATE TABLE login_throttle (
  account_key       text PRIMARY KEY,
  failures          integer NOT NULL,
  window_started_at timestamptz NOT NULL
);

-- Down Migration
DROP TABLE login_throttle;
DROP TABLE sessions;
DROP TABLE accounts;
