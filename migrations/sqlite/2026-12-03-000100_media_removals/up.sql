-- The stored files being removed, by content key: a deletion (or the sweep) writes the row in
-- the transaction that finds no media row naming the key any more, removes the files, then
-- deletes its row (one row per removal: two removals of one key, a deletion and the
-- sweep, each end their own). An upload of the same bytes that commits while a row is here waits for it
-- to go, then stores the files again if they went (db::media, media::library). The same table
-- on both backends.
CREATE TABLE media_removals (
    token      TEXT PRIMARY KEY NOT NULL,
    file_key   TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL
);
CREATE INDEX media_removals_by_key ON media_removals (file_key);
