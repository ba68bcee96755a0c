-- A new comment is held as spam when the same text reached the same article minutes ago:
-- a hash of the text, indexed with the article, finds a repeat in one lookup.
ALTER TABLE comments ADD COLUMN body_hash BIGINT;
CREATE INDEX comments_repeats ON comments (article_id, body_hash, created_at);
