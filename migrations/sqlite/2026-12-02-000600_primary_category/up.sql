-- The primary category of an article: one of its categories, the one the frontend shows and puts
-- in the URL. A deleted category stops being anyone's primary. The index serves that deletion.
ALTER TABLE articles ADD COLUMN primary_category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL;
CREATE INDEX articles_primary_category ON articles (primary_category_id) WHERE primary_category_id IS NOT NULL;
