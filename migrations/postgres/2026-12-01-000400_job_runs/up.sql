-- When each periodic background job is next due (see the SQLite migration of this name): the
-- instance whose claim moves `due_at` forward runs the job; the row lock orders two claims,
-- and the second one finds the job no longer due.
CREATE TABLE job_runs (
    name       TEXT PRIMARY KEY,
    due_at     TIMESTAMP NOT NULL,
    claimed_at TIMESTAMP NOT NULL
);
