-- Up Migration
-- A sync that ends with attachments neither stored nor refused by a rule is 'incomplete', not
-- 'succeeded'. Pending fetches are no longer emptied wholesale at the end of a run: a row goes
-- when its document is stored (in the same statement), stays marked `refused` when a rule says
-- it will not be fetched (size cap, off the portal), and keeps the last failure otherwise.
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_state_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_state_check CHECK (state IN ('running', 'succeeded', 'incomplete', 'failed'));
ALTER TABLE sync_pending_fetches ADD COLUMN refused text, ADD COLUMN last_error text;

-- Down Migration
ALTER TABLE sync_pending_fetches DROP COLUMN refused, DROP COLUMN last_error;
UPDATE sync_runs SET state = 'failed' WHERE state = 'incomplete';
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_state_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_state_check CHECK (state IN ('running', 'succeeded', 'failed'));
