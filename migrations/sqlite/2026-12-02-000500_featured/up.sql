-- Featured articles (WordPress's "sticky"): pinned to the top of the front page by the frontend,
-- which lists them with `featured=true`. The index serves that list and its count.
ALTER TABLE articles ADD COLUMN featured BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX articles_featured ON articles (featured, status, published_at, id);
