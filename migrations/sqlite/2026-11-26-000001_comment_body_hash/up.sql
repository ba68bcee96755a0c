-- A new comment is held as spam when the same text reached the same article minutes ago.
-- Comparing texts meant reading every recent comment of the article; a hash of the text,
-- indexed with the article, finds a repeat in one lookup however busy the article is.
-- Comments stored before this migration have no hash: they are older than the window.
ALTER TABLE comments ADD COLUMN body_hash BIGINT;
CREATE INDEX comments_repeats ON comments (article_id, body_hash, created_at);
