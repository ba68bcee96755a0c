-- The counts of the shared limits (failed logins per account and per client network, comment
-- submissions per client network): one row per key and fixed window, changed by one atomic
-- statement per event (limits::table). Keys are the limit's name and a hash of what it counts,
-- never an address or an email in clear. Rows of windows long past are pruned.
-- SQLite instances count in memory (one process); the table is the same on both backends.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    count        INTEGER NOT NULL CHECK (count >= 0)
);
CREATE INDEX rate_limits_by_window ON rate_limits (window_start);
