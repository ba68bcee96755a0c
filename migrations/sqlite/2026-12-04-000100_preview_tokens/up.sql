-- Draft preview tokens: each shows one article, in its current state, until it expires or is
-- revoked (deleted). Only the SHA-256 of a token is kept.
CREATE TABLE preview_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX preview_tokens_of_article ON preview_tokens (article_id);
CREATE INDEX preview_tokens_expiry ON preview_tokens (expires_at);
