-- Up Migration
-- The portals a deployment offers (managed by the admin CLI).
CREATE TABLE portals (
  id                text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  name              text NOT NULL,
  fhir_base_url     text NOT NULL,
  client_id         text NOT NULL,
  client_secret_enc text,                 -- sealed (secret-box), never plaintext
  scopes            text,                 -- overrides the default scope request when set
  brand             jsonb NOT NULL DEFAULT '{}'::jsonb, -- logoUrl, portalUrl, portalName, ...
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- A patient's link to one portal patient: tokens (sealed), grant and sync status.
CREATE TABLE links (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id          uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  portal_id           text NOT NULL REFERENCES portals (id),
  portal_patient_id   text NOT NULL,
  fhir_user           text,
  status              text NOT NULL CHECK (status IN ('active', 'syncing', 'needs-relink', 'error', 'unlinked')),
  status_reason       text,
  tokens_enc          text,               -- sealed token response; NULL once unlinked
  has_refresh_token   boolean NOT NULL DEFAULT false,
  granted_scopes      text NOT NULL DEFAULT '',
  access_expires_at   timestamptz,
  refresh_expires_at  timestamptz,
  token_endpoint      text,
  revocation_endpoint text,
  introspection_endpoint text,
  last_refreshed_at   timestamptz,
  last_sync_started_at   timestamptz,
  last_sync_finished_at  timestamptz,
  last_sync_state        text,
  last_successful_sync_started_at timestamptz,
  last_full_sync_started_at       timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, portal_id, portal_patient_id)
);
CREATE INDEX links_account_idx ON links (account_id);

-- Pending standalone launches: fhirclient's launch state (sealed), bound to the patient who
-- started it, single use, short-lived.
CREATE TABLE smart_launches (
  state       text PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  portal_id   text NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
  payload_enc text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX smart_launches_expiry_idx ON smart_launches (expires_at);

-- Down Migration
DROP TABLE smart_launches;
DROP TABLE links;
DROP TABLE portals;
