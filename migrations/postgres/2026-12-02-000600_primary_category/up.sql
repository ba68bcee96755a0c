-- The primary category (see the SQLite migration of this name): the same column and index.
ALTER TABLE articles ADD COLUMN primary_category_id BIGINT REFERENCES categories (id) ON DELETE SET NULL;
CREATE INDEX articles_primary_category ON articles (primary_category_id) WHERE primary_category_id IS NOT NULL;
