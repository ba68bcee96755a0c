-- The transaction that wrote each change. SQLite has one writer at a time, so ids follow
-- commit order and the poll needs only the last id it read: the column stays 0 here. On
-- PostgreSQL it holds the writer's transaction id (see that migration).
ALTER TABLE content_changes ADD COLUMN writer_txid BIGINT NOT NULL DEFAULT 0;
