-- Up Migration
-- Files a patient uploads (C-CDA, FHIR JSON/NDJSON, PDF, images, text). The bytes are kept here
-- from the request until the upload job has filed them; the job's report (state, counts,
-- categories, warnings) is what GET /api/uploads answers.
CREATE TABLE uploads (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  file_name      text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('ccda', 'fhir-json', 'fhir-ndjson', 'pdf', 'jpeg', 'png', 'text')),
  content_type   text NOT NULL,          -- judged from the bytes, not the name or the declared type
  size_bytes     integer NOT NULL,
  sha256         bytea NOT NULL,
  content        bytea,                  -- the file; cleared once the job has filed it
  category       text,                   -- the category the patient chose, if any
  title          text,
  document_date  text,
  state          text NOT NULL DEFAULT 'processing' CHECK (state IN ('processing', 'done', 'failed')),
  error          text,
  warnings       jsonb NOT NULL DEFAULT '[]'::jsonb,
  resources      integer NOT NULL DEFAULT 0,
  categories     text[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz
);
CREATE INDEX uploads_account_idx ON uploads (account_id, created_at DESC);

-- An upload is a source of records like a portal link: its records and documents hang off a
-- links row of its own (portal_id NULL, upload_id set), so storage, duplicate merging, the
-- binder, summaries and the export treat them like any record, and deleting the upload
-- removes everything filed from it (links → records, documents cascade).
ALTER TABLE links ALTER COLUMN portal_id DROP NOT NULL;
ALTER TABLE links ADD COLUMN upload_id uuid UNIQUE REFERENCES uploads (id) ON DELETE CASCADE;
ALTER TABLE links ADD CONSTRAINT links_portal_or_upload CHECK ((portal_id IS NULL) <> (upload_id IS NULL));

-- Down Migration
DELETE FROM links WHERE upload_id IS NOT NULL;
ALTER TABLE links DROP CONSTRAINT links_portal_or_upload;
ALTER TABLE links DROP COLUMN upload_id;
ALTER TABLE links ALTER COLUMN portal_id SET NOT NULL;
DROP TABLE uploads;
