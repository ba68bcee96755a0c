-- Invites: a one-time token an admin hands to a new (or locked-out) staff member, who sets their
-- own password with it. Only the token's SHA-256 is stored. One open invite per user: a new one
-- replaces the last. Spent (`used_at`) or expired invites are kept until the user is deleted.
CREATE TABLE invites (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX invites_by_user ON invites (user_id);
