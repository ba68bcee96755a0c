-- Revisions: what an article was after each create and update, written in the same transaction.
-- The author of a revision is whoever made it, copied as they were then (`author_*`), so that it
-- reads the same after they are renamed or deleted: `author_id` has no foreign key (user ids are
-- never reused). `category_ids` and `tag_ids` are comma-separated ids, ascending. A revision
-- never changes: a trigger refuses updates. Pruning deletes the oldest per article by
-- (article_id, id), never by a scan.
CREATE TABLE revisions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    article_id         INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    slug               TEXT NOT NULL,
    title              TEXT NOT NULL,
    excerpt            TEXT NOT NULL,
    body               TEXT NOT NULL,
    status             TEXT NOT NULL,
    published_at       TIMESTAMP,
    category_ids       TEXT NOT NULL,
    tag_ids            TEXT NOT NULL,
    featured_image_url TEXT,
    featured_image_alt TEXT,
    source_name        TEXT,
    source_url         TEXT,
    language           TEXT NOT NULL,
    comment_status     TEXT NOT NULL,
    meta_title         TEXT,
    meta_description   TEXT,
    author_id          INTEGER NOT NULL,
    author_name        TEXT NOT NULL,
    author_slug        TEXT NOT NULL,
    author_bio         TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL
);
CREATE INDEX revisions_by_article ON revisions (article_id, id);

CREATE TRIGGER revisions_never_change BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'a revision never changes');
END;
