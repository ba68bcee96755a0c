-- The counts of the shared limits, one row per key and fixed window (see the SQLite migration
-- of this name): every instance on this database counts in the same rows, so three instances
-- do not allow three times as many attempts.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    count        INTEGER NOT NULL CHECK (count >= 0)
);
CREATE INDEX rate_limits_by_window ON rate_limits (window_start);
