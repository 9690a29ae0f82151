-- Up Migration
-- The audit trail (src/audit/): every read of the record, a document, an export or a share, every
-- share made or revoked, every link and unlink, every sign-in and failed sign-in of an account.
-- Who (the account), what (action, target: ids and kinds only, never titles or values), when,
-- from where (address, user agent). GET /api/audit lists an account's own events, newest first.
CREATE TABLE audit_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  action      text NOT NULL CHECK (action ~ '^[a-z][a-z.-]{0,47}$'),
  target      text CHECK (length(target) <= 200),
  ip          text CHECK (length(ip) <= 64),
  user_agent  text CHECK (length(user_agent) <= 512)
);
-- The keyset of GET /api/audit (newest first), and the retention purge's range.
CREATE INDEX audit_events_account_idx ON audit_events (account_id, at DESC, id DESC);
CREATE INDEX audit_events_at_idx ON audit_events (at);

-- Append-only. The application's database role usually owns its tables (it runs the migrations),
-- and an owner keeps UPDATE and DELETE whatever is REVOKEd, so privileges cannot say this. A
-- trigger can: it refuses every UPDATE, and every DELETE except two:
--   * the retention purge, audit_purge() below, which sets a transaction-local cutoff that the
--     trigger reads; even then only rows older than the cutoff go, and a cutoff less than a day
--     old is not honoured, so no setting can erase recent history;
--   * the deletion of the account itself (ON DELETE CASCADE): the trail goes with the account
--     rather than keeping its addresses for no one.
-- This guards against mistakes (a stray UPDATE or DELETE in code), not against someone holding the
-- owner role, who could drop the trigger: that needs a separate, non-owner role for the app.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cutoff timestamptz := nullif(current_setting('carebinder.audit_purge_before', true), '')::timestamptz;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF cutoff IS NOT NULL AND cutoff <= now() - interval '1 day' AND OLD.at < cutoff THEN
      RETURN OLD;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM accounts WHERE id = OLD.account_id) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'P0001';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE FUNCTION audit_events_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: TRUNCATE refused' USING ERRCODE = 'P0001';
END
$$;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_no_truncate();

-- The retention purge: deletes up to `batch` events older than `retention` (at least a day) and
-- answers how many. The job (src/jobs/audit-retention.ts) calls it until it answers less than a batch.
CREATE FUNCTION audit_purge(retention interval, batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  cutoff timestamptz := now() - retention;
  deleted integer;
BEGIN
  IF retention < interval '1 day' THEN
    RAISE EXCEPTION 'audit retention must be at least a day, not %', retention;
  END IF;
  PERFORM set_config('carebinder.audit_purge_before', cutoff::text, true);
  DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < cutoff ORDER BY at LIMIT batch);
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('carebinder.audit_purge_before', '', true);
  RETURN deleted;
END
$$;

-- Down Migration
DROP FUNCTION audit_purge(interval, integer);
DROP TABLE audit_events;
DROP FUNCTION audit_events_no_truncate();
DROP FUNCTION audit_events_append_only();
