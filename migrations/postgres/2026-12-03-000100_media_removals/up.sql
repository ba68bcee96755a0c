-- The stored files being removed, by content key (see the SQLite migration of this name). A
-- transaction that adds or removes a media row first takes the advisory lock of its key, so a
-- deletion that finds the key unused and an upload that starts using it are ordered.
CREATE TABLE media_removals (
    token      TEXT PRIMARY KEY,
    file_key   TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL
);
CREATE INDEX media_removals_by_key ON media_removals (file_key);
