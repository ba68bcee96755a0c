-- When each periodic background job (the pruning of old content changes and of past limit
-- windows) is next due. Every instance on a database tries to claim a due job with one atomic
-- statement that moves `due_at` forward (db::jobs::claim); the one whose statement moved it
-- runs the job, the others see it moved and skip it. The table is the same on both backends.
CREATE TABLE job_runs (
    name       TEXT PRIMARY KEY NOT NULL,
    due_at     TIMESTAMP NOT NULL,
    claimed_at TIMESTAMP NOT NULL
);
