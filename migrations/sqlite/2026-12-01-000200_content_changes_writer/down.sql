ALTER TABLE content_changes DROP COLUMN writer_txid;
