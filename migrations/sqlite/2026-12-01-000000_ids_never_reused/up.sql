-- Ids are never handed out twice. Without AUTOINCREMENT SQLite gives a new row the largest
-- rowid plus one, so deleting the newest article and creating another reused its id: a CDN,
-- a search engine or a webhook receiver holding /api/v1/articles/13 then saw another story.
-- AUTOINCREMENT keeps the largest id ever used in sqlite_sequence. SQLite cannot add it to an
-- existing key, so the four tables whose ids are public are rebuilt (the procedure of SQLite's
-- ALTER TABLE documentation): triggers first, then each table copied with its ids, then
-- indexes and triggers again.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

DROP TRIGGER comments_count_insert;
DROP TRIGGER comments_count_delete;
DROP TRIGGER comments_count_update;
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
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

CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email         TEXT NOT NULL UNIQUE,            -- stored lower-cased
    display_name  TEXT NOT NULL,
    slug          TEXT NOT NULL UNIQUE,
    bio           TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author', 'contributor')),
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
INSERT INTO users_new (id, email, display_name, slug, bio, password_hash, role, active, created_at, updated_at)
    SELECT id, email, display_name, slug, bio, password_hash, role, active, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE categories_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    parent_id   INTEGER REFERENCES categories (id) ON DELETE RESTRICT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
INSERT INTO categories_new (id, name, slug, description, parent_id, created_at, updated_at)
    SELECT id, name, slug, description, parent_id, created_at, updated_at FROM categories;
DROP TABLE categories;
ALTER TABLE categories_new RENAME TO categories;
CREATE INDEX categories_parent_id ON categories (parent_id);
CREATE INDEX categories_name ON categories (name, id);

CREATE TABLE articles_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    slug               TEXT NOT NULL UNIQUE,
    title              TEXT NOT NULL,
    custom_excerpt     TEXT NOT NULL DEFAULT '',   -- as the editor wrote it, may be empty
    excerpt            TEXT NOT NULL DEFAULT '',   -- what readers see: custom or derived on write
    body               TEXT NOT NULL DEFAULT '',   -- Markdown source
    body_html          TEXT NOT NULL DEFAULT '',   -- rendered and sanitized on write
    status             TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    published_at       TIMESTAMP,
    author_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    featured_image_url TEXT,
    featured_image_alt TEXT,
    source_name        TEXT,
    source_url         TEXT,
    language           TEXT NOT NULL,
    comment_status     TEXT NOT NULL DEFAULT 'open' CHECK (comment_status IN ('open', 'closed')),
    meta_title         TEXT,
    meta_description   TEXT,
    comment_count      INTEGER NOT NULL DEFAULT 0, -- approved comments, kept by triggers below
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
INSERT INTO articles_new (id, slug, title, custom_excerpt, excerpt, body, body_html, status, published_at,
        author_id, featured_image_url, featured_image_alt, source_name, source_url, language, comment_status,
        meta_title, meta_description, comment_count, created_at, updated_at)
    SELECT id, slug, title, custom_excerpt, excerpt, body, body_html, status, published_at,
        author_id, featured_image_url, featured_image_alt, source_name, source_url, language, comment_status,
        meta_title, meta_description, comment_count, created_at, updated_at FROM articles;
DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;
CREATE INDEX articles_public_feed ON articles (status, published_at, id);
CREATE INDEX articles_by_updated ON articles (status, updated_at, id);
CREATE INDEX articles_by_title ON articles (status, title, id);
CREATE INDEX articles_by_author ON articles (author_id, status, published_at, id);
CREATE INDEX articles_search_lookup ON articles (id, status, published_at, updated_at, author_id);

CREATE TABLE comments_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    author_name  TEXT NOT NULL,
    author_email TEXT NOT NULL,
    author_url   TEXT,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    -- What the public sees: approved, and so is every comment up the thread. Kept on write.
    visible      BOOLEAN NOT NULL DEFAULT 0,
    ip           TEXT,
    user_agent   TEXT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    body_hash    BIGINT
);
INSERT INTO comments_new (id, article_id, parent_id, user_id, author_name, author_email, author_url, body,
        status, visible, ip, user_agent, created_at, updated_at, body_hash)
    SELECT id, article_id, parent_id, user_id, author_name, author_email, author_url, body,
        status, visible, ip, user_agent, created_at, updated_at, body_hash FROM comments;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;
CREATE INDEX comments_public ON comments (article_id, visible, created_at, id);
CREATE INDEX comments_by_article ON comments (article_id, status, created_at, id);
CREATE INDEX comments_queue ON comments (status, created_at, id);
CREATE INDEX comments_by_parent ON comments (parent_id);
CREATE INDEX comments_by_user ON comments (user_id);
CREATE INDEX comments_repeats ON comments (article_id, body_hash, created_at);

-- The same triggers as before the rebuild (see the first migration).
CREATE TRIGGER comments_count_insert AFTER INSERT ON comments WHEN NEW.visible
BEGIN
    UPDATE articles SET comment_count = comment_count + 1 WHERE id = NEW.article_id;
END;
CREATE TRIGGER comments_count_delete AFTER DELETE ON comments WHEN OLD.visible
BEGIN
    UPDATE articles SET comment_count = comment_count - 1 WHERE id = OLD.article_id;
END;
CREATE TRIGGER comments_count_update AFTER UPDATE OF visible, article_id ON comments
WHEN OLD.visible <> NEW.visible OR OLD.article_id <> NEW.article_id
BEGIN
    UPDATE articles SET comment_count = comment_count - 1 WHERE id = OLD.article_id AND OLD.visible;
    UPDATE articles SET comment_count = comment_count + 1 WHERE id = NEW.article_id AND NEW.visible;
END;
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles
BEGIN
    INSERT INTO articles_fts (rowid, title, excerpt, body) VALUES (NEW.id, NEW.title, NEW.excerpt, NEW.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles
BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body)
        VALUES ('delete', OLD.id, OLD.title, OLD.excerpt, OLD.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, excerpt, body ON articles
BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body)
        VALUES ('delete', OLD.id, OLD.title, OLD.excerpt, OLD.body);
    INSERT INTO articles_fts (rowid, title, excerpt, body) VALUES (NEW.id, NEW.title, NEW.excerpt, NEW.body);
END;
CREATE TRIGGER users_version_insert AFTER INSERT ON users BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER users_version_update AFTER UPDATE ON users BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER users_version_delete AFTER DELETE ON users BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER categories_version_insert AFTER INSERT ON categories BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER categories_version_update AFTER UPDATE ON categories BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER categories_version_delete AFTER DELETE ON categories BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER articles_version_insert AFTER INSERT ON articles BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER articles_version_update AFTER UPDATE ON articles BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER articles_version_delete AFTER DELETE ON articles BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER article_categories_version_insert AFTER INSERT ON article_categories BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER article_categories_version_update AFTER UPDATE ON article_categories BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER article_categories_version_delete AFTER DELETE ON article_categories BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER comments_version_insert AFTER INSERT ON comments BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER comments_version_update AFTER UPDATE ON comments BEGIN UPDATE content_version SET version = version + 1; END;
CREATE TRIGGER comments_version_delete AFTER DELETE ON comments BEGIN UPDATE content_version SET version = version + 1; END;

COMMIT;
PRAGMA foreign_keys = ON;
