DROP INDEX articles_by_featured_image;
ALTER TABLE articles DROP COLUMN featured_image_id;
DROP TABLE media;
