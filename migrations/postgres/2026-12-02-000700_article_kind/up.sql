-- Article kinds (see the SQLite migration of this name): the same column, and the list indexes
-- lead with it. PostgreSQL's search walks the tsvector index, not a lookup index.
ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'story' CHECK (kind IN ('story', 'page'));

DROP INDEX articles_public_feed;
DROP INDEX articles_by_updated;
DROP INDEX articles_by_title;
DROP INDEX articles_by_author;
DROP INDEX articles_featured;
CREATE INDEX articles_public_feed ON articles (kind, status, published_at, id);
CREATE INDEX articles_by_updated ON articles (kind, status, updated_at, id);
CREATE INDEX articles_by_title ON articles (kind, status, title, id);
CREATE INDEX articles_by_author ON articles (author_id, kind, status, published_at, id);
CREATE INDEX articles_featured ON articles (featured, kind, status, published_at, id);
