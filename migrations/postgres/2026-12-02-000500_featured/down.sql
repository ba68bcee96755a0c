DROP INDEX articles_featured;
ALTER TABLE articles DROP COLUMN featured;
