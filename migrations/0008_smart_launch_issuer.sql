-- Up Migration
-- RFC 9207: the authorization server's issuer identifier as carebinder discovered it when the
-- launch started, and whether that server promised to send `iss` in its authorization responses.
-- The callback's `iss` is compared with this value, not with anything discovered later.
-- Launches started before this migration have NULL (they expire within 10 minutes).
ALTER TABLE smart_launches
  ADD COLUMN issuer text,
  ADD COLUMN iss_parameter_supported boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE smart_launches DROP COLUMN iss_parameter_supported, DROP COLUMN issuer;
