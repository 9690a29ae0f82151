-- Up Migration
-- The sign-in throttle by bucket (see src/accounts/sign-in-throttle.ts): a browser's device cookie,
-- an e-mail from one address, one address, one e-mail. Bucket names are SHA-256 hashes, so the table
-- holds no e-mail or IP address. It replaces login_throttle, whose per-e-mail lock let anyone lock
-- the owner out; its rows are short-lived counters, so nothing is carried over.
CREATE TABLE sign_in_throttle (
  bucket          bytea PRIMARY KEY,
  failures        integer NOT NULL,
  last_failure_at timestamptz NOT NULL
);
CREATE INDEX sign_in_throttle_last_failure_idx ON sign_in_throttle (last_failure_at);
DROP TABLE login_throttle;

-- Down Migration
CREATE TABLE login_throttle (
  account_key       text PRIMARY KEY,
  failures          integer NOT NULL,
  window_started_at timestamptz NOT NULL
);
DROP TABLE sign_in_throttle;
