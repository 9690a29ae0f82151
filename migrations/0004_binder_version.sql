-- Up Migration
-- A per-account version of the binder, bumped by any statement that changes the account's
-- records. The API's caches compare it (a primary-key read, part of the session lookup)
-- instead of scanning the records to see whether anything changed.
ALTER TABLE accounts ADD COLUMN binder_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION bump_binder_version() RETURNS trigger AS $$
BEGIN
  UPDATE accounts SET binder_version = binder_version + 1
   WHERE id IN (SELECT DISTINCT account_id FROM changed_records);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Statement-level, so a 500-row batch bumps once; transition tables need one trigger per event.
CREATE TRIGGER records_bump_on_insert AFTER INSERT ON records
  REFERENCING NEW TABLE AS changed_records FOR EACH STATEMENT EXECUTE FUNCTION bump_binder_version();
CREATE TRIGGER records_bump_on_update AFTER UPDATE ON records
  REFERENCING NEW TABLE AS changed_records FOR EACH STATEMENT EXECUTE FUNCTION bump_binder_version();
CREATE TRIGGER records_bump_on_delete AFTER DELETE ON records
  REFERENCING OLD TABLE AS changed_records FOR EACH STATEMENT EXECUTE FUNCTION bump_binder_version();

-- Down Migration
DROP TRIGGER records_bump_on_delete ON records;
DROP TRIGGER records_bump_on_update ON records;
DROP TRIGGER records_bump_on_insert ON records;
DROP FUNCTION bump_binder_version();
ALTER TABLE accounts DROP COLUMN binder_version;
