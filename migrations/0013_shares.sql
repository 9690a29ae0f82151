-- Up Migration
-- SMART Health Links (src/shares/): a patient shares a snapshot of the binder (IPS, PDF, complete
-- Bundle) through a link that carries the decryption key. The server keeps only ciphertext (compact
-- JWE); the key is in the link alone and is never stored. The manifest id and the short-lived file
-- locations are random bearer names: only their SHA-256 is kept, so a copy of these tables yields
-- neither a working address nor anything readable.
CREATE TABLE shares (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  manifest_hash   bytea NOT NULL UNIQUE,   -- SHA-256 of the manifest id in the link's url (256 random bits)
  label           text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 80),
  contents        text[] NOT NULL,         -- ips, pdf, bundle: what was snapshotted, in that order
  passcode_hash   text,                    -- scrypt, as account passwords; NULL: no passcode (no P flag)
  attempts_left   integer NOT NULL CHECK (attempts_left >= 0), -- wrong passcodes left; 0 disables the link for good
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shares_account_idx ON shares (account_id, created_at DESC);

-- The encrypted files. Deleted when the link is revoked, locked or found expired; the shares row
-- stays for the patient's list and its access log.
CREATE TABLE share_files (
  share_id      uuid NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
  position      integer NOT NULL,
  content_type  text NOT NULL,             -- the manifest's contentType (application/fhir+json)
  jwe           bytea NOT NULL,            -- compact JWE (alg dir, enc A256GCM), ASCII
  PRIMARY KEY (share_id, position)
);

-- Where a manifest answer points: one random name per file per manifest request, for an hour at most.
CREATE TABLE share_file_locations (
  token_hash  bytea PRIMARY KEY,           -- SHA-256 of the random name in the location URL
  share_id    uuid NOT NULL,
  position    integer NOT NULL,
  expires_at  timestamptz NOT NULL,
  FOREIGN KEY (share_id, position) REFERENCES share_files (share_id, position) ON DELETE CASCADE
);
CREATE INDEX share_file_locations_expiry_idx ON share_file_locations (expires_at);

-- Every manifest request: when, who the recipient said they were, from which address, and how it went.
CREATE TABLE share_accesses (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  share_id    uuid NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  recipient   text NOT NULL,
  address     text NOT NULL,
  outcome     text NOT NULL CHECK (outcome IN ('served', 'wrong-passcode', 'locked'))
);
CREATE INDEX share_accesses_share_idx ON share_accesses (share_id, at DESC);

-- Down Migration
DROP TABLE share_accesses;
DROP TABLE share_file_locations;
DROP TABLE share_files;
DROP TABLE shares;
