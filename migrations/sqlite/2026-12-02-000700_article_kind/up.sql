-- What an article is: a `story` (the news) or a `page` (the about page, the masthead, the code
-- of conduct), which is read by its slug but left out of every story list, count and search.
-- Every list filters on the kind, so each index a list or a count walks leads with it (an
-- equality that keeps the index's order); the search lookup carries it, with `featured`, so a
-- search still checks its matches without reading their rows.
ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'story' CHECK (kind IN ('story', 'page'));

DROP INDEX articles_public_feed;
DROP INDEX articles_by_updated;
DROP INDEX articles_by_title;
DROP INDEX articles_by_author;
DROP INDEX articles_featured;
DROP INDEX articles_search_lookup;
CREATE INDEX articles_public_feed ON articles (kind, status, published_at, id);
CREATE INDEX articles_by_updated ON articles (kind, status, updated_at, id);
CREATE INDEX articles_by_title ON articles (kind, status, title, id);
CREATE INDEX articles_by_author ON articles (author_id, kind, status, published_at, id);
CREATE INDEX articles_featured ON articles (featured, kind, status, published_at, id);
CREATE INDEX articles_search_lookup ON articles (id, status, published_at, updated_at, author_id, kind, featured);
