DROP INDEX content_changes_by_writer;
ALTER TABLE content_changes DROP COLUMN writer_txid;
