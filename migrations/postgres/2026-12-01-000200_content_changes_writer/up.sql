-- The transaction that wrote each change. Ids come from a sequence, handed out before commit,
-- so a row with a lower id can become visible after one with a higher id: "after the last id
-- read" would miss it. Every transaction whose id is below the oldest one still running
-- (pg_snapshot_xmin) has ended, so the poll rereads only the rows of transactions at or above
-- that horizon, and skips the ones it has seen (db::changes).
ALTER TABLE content_changes ADD COLUMN writer_txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX content_changes_by_writer ON content_changes (writer_txid);
