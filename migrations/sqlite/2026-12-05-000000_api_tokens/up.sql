-- API tokens: long-lived credentials of a user for integrations, limited to scopes. Only the
-- SHA-256 of a token is kept, with its first 12 characters to recognise it by.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    scopes       TEXT NOT NULL,                    -- space-separated scope names
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,                        -- written in batches, not per request
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX api_tokens_of_user ON api_tokens (user_id, id);
