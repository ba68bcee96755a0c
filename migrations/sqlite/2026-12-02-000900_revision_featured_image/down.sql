ALTER TABLE revisions DROP COLUMN featured_image_id;
