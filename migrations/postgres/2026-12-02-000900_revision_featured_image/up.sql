-- A revision remembers the media its article led with (see the SQLite migration of this name).
ALTER TABLE revisions ADD COLUMN featured_image_id BIGINT;
