DROP INDEX comments_repeats; ALTER TABLE comments DROP COLUMN body_hash;
