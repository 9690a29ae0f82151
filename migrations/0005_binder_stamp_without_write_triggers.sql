-- Up Migration
-- The INSERT/UPDATE statement triggers of 0004 materialised every written row (resource
-- included) into transition tables: they cost a third of the sync's write throughput. The
-- binder's cache stamp now combines the newest last_changed_at of the account's records (an
-- index probe) with binder_version, which only deletions bump.
DROP TRIGGER records_bump_on_insert ON records;
DROP TRIGGER records_bump_on_update ON records;
CREATE INDEX records_account_changed_idx ON records (account_id, last_changed_at DESC);

-- Down Migration
DROP INDEX records_account_changed_idx;
CREATE TRIGGER records_bump_on_insert AFTER INSERT ON records
  REFERENCING NEW TABLE AS changed_records FOR EACH STATEMENT EXECUTE FUNCTION bump_binder_version();
CREATE TRIGGER records_bump_on_update AFTER UPDATE ON records
  REFERENCING NEW TABLE AS changed_records FOR EACH STATEMENT EXECUTE FUNCTION bump_binder_version();
