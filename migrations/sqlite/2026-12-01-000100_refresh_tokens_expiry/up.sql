-- Every login deletes the refresh tokens that expired more than a day ago: by this index
-- that is a range of it, not a scan of the table.
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
