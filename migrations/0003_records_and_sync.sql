-- Up Migration
-- One row per (link, resourceType, id): the raw resource plus what the binder needs.
CREATE TABLE records (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id       uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  link_id          uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  resource_type    text NOT NULL,
  resource_id      text NOT NULL,
  version_id       text,
  last_updated     timestamptz,
  content_hash     bytea NOT NULL,
  resource         jsonb NOT NULL,
  title            text NOT NULL,
  effective_at     timestamptz,          -- the clinically meaningful date, for sorting and filters
  date_text        text,                 -- that date as the portal wrote it (FHIR dates can be partial)
  end_date_text    text,
  status           text,
  codes            text[] NOT NULL DEFAULT '{}',   -- "system|code"
  categories       text[] NOT NULL DEFAULT '{}',
  rules_version    text NOT NULL,
  binder           jsonb NOT NULL DEFAULT '{}'::jsonb,  -- value, dose, documents: precomputed for the API
  duplicate_keys   text[] NOT NULL DEFAULT '{}',
  first_seen_at    timestamptz NOT NULL DEFAULT now(),
  last_changed_at  timestamptz NOT NULL DEFAULT now(),
  removed_at_source timestamptz,
  UNIQUE (link_id, resource_type, resource_id)
);
CREATE INDEX records_account_date_idx ON records (account_id, effective_at DESC NULLS LAST, id DESC);

-- Earlier versions of resources that changed at the source.
CREATE TABLE record_versions (
  record_id     bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  version_id    text,
  last_updated  timestamptz,
  content_hash  bytea NOT NULL,
  resource      jsonb NOT NULL,
  replaced_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX record_versions_record_idx ON record_versions (record_id);

CREATE FUNCTION keep_record_version() RETURNS trigger AS $$
BEGIN
  IF OLD.content_hash IS DISTINCT FROM NEW.content_hash THEN
    INSERT INTO record_versions (record_id, version_id, last_updated, content_hash, resource)
    VALUES (OLD.id, OLD.version_id, OLD.last_updated, OLD.content_hash, OLD.resource);
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER records_keep_version BEFORE UPDATE ON records
  FOR EACH ROW WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash)
  EXECUTE FUNCTION keep_record_version();

-- Attachments (Binary and attachment URLs) fetched with their record.
CREATE TABLE documents (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  link_id       uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  source_url    text NOT NULL,
  content_type  text NOT NULL,
  size_bytes    integer NOT NULL,
  sha256        bytea NOT NULL,
  content       bytea NOT NULL,
  fetched_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (link_id, source_url)
);

-- One row per sync run: the report and the progress a patient sees.
CREATE TABLE sync_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  link_id       uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  job_id        text NOT NULL,
  full_pass     boolean NOT NULL,
  state         text NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  pages_done    integer NOT NULL DEFAULT 0,
  types         jsonb NOT NULL DEFAULT '{}'::jsonb,   -- per type: fetched, stored, rejected, pages, status
  errors        jsonb NOT NULL DEFAULT '[]'::jsonb,
  warnings      jsonb NOT NULL DEFAULT '[]'::jsonb,
  UNIQUE (link_id, job_id)
);
CREATE INDEX sync_runs_link_idx ON sync_runs (link_id, started_at DESC);

-- Referenced resources and attachments found while paging, fetched after the searches.
-- Kept in the database so a sync resumed by another worker still fetches them.
CREATE TABLE sync_pending_fetches (
  link_id      uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('resource', 'document')),
  target       text NOT NULL,          -- "Practitioner/123" or the attachment URL
  content_type text,
  PRIMARY KEY (link_id, kind, target)
);

-- One sync at a time per link, whichever worker or schedule started it.
ALTER TABLE links ADD COLUMN sync_claimed_by text, ADD COLUMN sync_claimed_until timestamptz;

-- Down Migration
ALTER TABLE links DROP COLUMN sync_claimed_by, DROP COLUMN sync_claimed_until;
DROP TABLE sync_pending_fetches;
DROP TABLE sync_runs;
DROP TABLE documents;
DROP TRIGGER records_keep_version ON records;
DROP FUNCTION keep_record_version();
DROP TABLE record_versions;
DROP TABLE records;
