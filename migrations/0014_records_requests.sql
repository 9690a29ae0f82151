-- Up Migration
-- The patient's own details, as a records-request letter states them (name, birth date, postal
-- address, phone). Proposed from the linked portals' Patient resources; what is saved here is what
-- the patient confirmed or typed. Every column is optional: NULL means "not given yet".
ALTER TABLE accounts
  ADD COLUMN name       text,
  ADD COLUMN birth_date date,
  ADD COLUMN address    text,
  ADD COLUMN phone      text;

-- A request for records under the HIPAA right of access (45 CFR 164.524), addressed to one
-- provider: what is asked for (leaflet categories and, from the checklist, the events whose record
-- is missing, kept as they were when the request was made), for which dates, in what form, and
-- where it stands. A sent request is due 30 days after it was sent.
CREATE TABLE records_requests (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  organization  jsonb NOT NULL,              -- {name, address?, fax?, email?}
  categories    text[] NOT NULL DEFAULT '{}',
  gaps          jsonb NOT NULL DEFAULT '[]'::jsonb,  -- the checklist's gaps asked for: {id, category, reason, event}
  from_date     date,
  to_date       date,
  delivery      text NOT NULL DEFAULT 'electronic' CHECK (delivery IN ('electronic', 'paper', 'pickup')),
  status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'received', 'cancelled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz,
  received_at   timestamptz,
  cancelled_at  timestamptz,
  CHECK (cardinality(categories) > 0 OR jsonb_array_length(gaps) > 0)
);
CREATE INDEX records_requests_account_idx ON records_requests (account_id, created_at DESC);

-- Down Migration
DROP TABLE records_requests;
ALTER TABLE accounts DROP COLUMN phone, DROP COLUMN address, DROP COLUMN birth_date, DROP COLUMN name;
