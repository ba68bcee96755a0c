-- What each committed write changed for the public, as scopes ("articles", "categories",
-- "people", "article:12"), written by the write in its own transaction. Every Warta process on
-- this database reads the rows after the last one it saw, so a write anywhere reaches every
-- response cache; a write the public cannot see (a pending comment, a login, a draft) writes
-- none and invalidates nothing. Rows older than a few minutes are pruned.
CREATE TABLE content_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    scopes     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX content_changes_by_age ON content_changes (created_at);

-- They replace the content-version counter, which every write (logins and pending comments
-- included) moved, so that every write emptied every response cache.
DROP TRIGGER users_version_insert;
DROP TRIGGER users_version_update;
DROP TRIGGER users_version_delete;
DROP TRIGGER categories_version_insert;
DROP TRIGGER categories_version_update;
DROP TRIGGER categories_version_delete;
DROP TRIGGER articles_version_insert;
DROP TRIGGER articles_version_update;
DROP TRIGGER articles_version_delete;
DROP TRIGGER article_categories_version_insert;
DROP TRIGGER article_categories_version_update;
DROP TRIGGER article_categories_version_delete;
DROP TRIGGER comments_version_insert;
DROP TRIGGER comments_version_update;
DROP TRIGGER comments_version_delete;
DROP TABLE content_version;
