-- Old addresses that keep working. A row maps a source to where it now leads:
-- - `article`, `category`, `tag`: an old slug of that resource (written when a slug changes),
--   leading to the resource by id, so that a chain of renames lands on the current slug in one
--   hop and an old slug never goes to another story;
-- - `path`: a public path (a rule made by hand, a WordPress permalink), normalised.
-- The target is a resource (`target_type`, `target_id`) or a URL, or nothing with status 410.
CREATE TABLE redirects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    source_type TEXT NOT NULL CHECK (source_type IN ('article', 'category', 'tag', 'path')),
    source      TEXT NOT NULL,
    status      INTEGER NOT NULL DEFAULT 301 CHECK (status IN (301, 302, 410)),
    target_type TEXT CHECK (target_type IN ('article', 'category', 'tag', 'author', 'url')),
    target_id   BIGINT,
    url         TEXT,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (source_type, source)
);
CREATE INDEX redirects_by_target ON redirects (target_type, target_id);
