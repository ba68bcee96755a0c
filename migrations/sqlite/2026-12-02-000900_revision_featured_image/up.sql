-- A revision remembers the media its article led with, so that a restore puts the photo back.
-- No foreign key: history outlives an image, and a restore leaves out one that is gone.
ALTER TABLE revisions ADD COLUMN featured_image_id INTEGER;
