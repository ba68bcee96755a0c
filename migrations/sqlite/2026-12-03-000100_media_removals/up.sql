-- The stored files being removed, by content key: a deletion (or the sweep) writes the row in
-- the transaction that finds no media row naming the key any more, removes the files, then
-- deletes the row. An upload of the same bytes that commits while a row is here waits for it
-- to go, then stores the files again if they went (db::media, media::library). The same table
-- on both backends.
CREATE TABLE media_removals (
    file_key   TEXT PRIMARY KEY NOT NULL,
    started_at TIMESTAMP NOT NULL
);
