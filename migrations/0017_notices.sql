-- Up Migration
-- E-mail notices (src/notices/): each account's choice of what it is mailed about. No row means
-- the defaults: the three warnings on, the weekly digest off.
CREATE TABLE notice_preferences (
  account_id      uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  needs_relink    boolean NOT NULL DEFAULT true,
  access_expiring boolean NOT NULL DEFAULT true,
  sync_failing    boolean NOT NULL DEFAULT true,
  weekly_digest   boolean NOT NULL DEFAULT false,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Every notice mailed: at most one per kind per link per (UTC) day, whatever the number of workers
-- or retries (the unique key is taken in the transaction that sends). The weekly digest is about
-- the account, not a link: link_id NULL, and NULLS NOT DISTINCT keeps it to one a day as well.
CREATE TABLE notices_sent (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  link_id     uuid REFERENCES links (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('needs-relink', 'access-expiring', 'sync-failing', 'weekly-digest')),
  day         date NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date,
  sent_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notices_sent_once_a_day UNIQUE NULLS NOT DISTINCT (account_id, link_id, kind, day)
);
CREATE INDEX notices_sent_link_idx ON notices_sent (link_id, kind, sent_at DESC);

-- Down Migration
DROP TABLE notices_sent;
DROP TABLE notice_preferences;
