DROP INDEX articles_primary_category;
ALTER TABLE articles DROP COLUMN primary_category_id;
