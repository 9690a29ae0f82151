-- Up Migration
-- The patient's own entries (POST /api/entries: a medicine or supplement, a side effect, a health
-- problem, a vaccine, a test result) are records like any other. They hang off one links row per
-- account that stands for the patient as a source ("Entered by you"): portal_id and upload_id NULL,
-- patient_entries true. A flag on links rather than a table of their own, because storage,
-- duplicate merging, recategorize, the binder, the summaries and the exports all read records
-- through their link already (as uploads do since 0012); a second path would have to be taught to
-- each of them. The row is made on the first entry and never synced (it has no portal and no tokens).
ALTER TABLE links ADD COLUMN patient_entries boolean NOT NULL DEFAULT false;
ALTER TABLE links DROP CONSTRAINT links_portal_or_upload;
-- Exactly one kind of source per link: a portal, an upload, or the patient's own entries.
ALTER TABLE links ADD CONSTRAINT links_one_source CHECK (num_nonnulls(portal_id, upload_id) + patient_entries::int = 1);
CREATE UNIQUE INDEX links_patient_entries_idx ON links (account_id) WHERE patient_entries;

-- Down Migration
DELETE FROM links WHERE patient_entries;
DROP INDEX links_patient_entries_idx;
ALTER TABLE links DROP CONSTRAINT links_one_source;
ALTER TABLE links ADD CONSTRAINT links_portal_or_upload CHECK ((portal_id IS NULL) <> (upload_id IS NULL));
ALTER TABLE links DROP COLUMN patient_entries;
