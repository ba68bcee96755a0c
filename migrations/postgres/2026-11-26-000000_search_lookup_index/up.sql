-- SQLite needed a covering index for its full-text join; PostgreSQL searches through the GIN
-- index on articles.search and checks visibility on the row it finds.
SELECT 1;
