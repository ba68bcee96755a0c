-- Featured articles (see the SQLite migration of this name): the same column and index.
ALTER TABLE articles ADD COLUMN featured BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX articles_featured ON articles (featured, status, published_at, id);
