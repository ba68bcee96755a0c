-- The whole content model of Warta (SQLite). Times are UTC, stored as
-- 'YYYY-MM-DD HH:MM:SS' text so that they compare correctly as strings.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY NOT NULL,
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

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    parent_id   INTEGER REFERENCES categories (id) ON DELETE RESTRICT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX categories_parent_id ON categories (parent_id);
CREATE INDEX categories_name ON categories (name, id);

CREATE TABLE articles (
    id                 INTEGER PRIMARY KEY NOT NULL,
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
CREATE INDEX articles_public_feed ON articles (status, published_at, id);
CREATE INDEX articles_by_updated ON articles (status, updated_at, id);
CREATE INDEX articles_by_title ON articles (status, title, id);
CREATE INDEX articles_by_author ON articles (author_id, status, published_at, id);

CREATE TABLE article_categories (
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, category_id)
) WITHOUT ROWID;
CREATE INDEX article_categories_by_category ON article_categories (category_id, article_id);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY NOT NULL,
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
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX comments_public ON comments (article_id, visible, created_at, id);
CREATE INDEX comments_by_article ON comments (article_id, status, created_at, id);
CREATE INDEX comments_queue ON comments (status, created_at, id);
CREATE INDEX comments_by_parent ON comments (parent_id);
CREATE INDEX comments_by_user ON comments (user_id);

-- articles.comment_count follows the publicly visible comments whatever code path writes them.
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

CREATE TABLE refresh_tokens (
    id         INTEGER PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,               -- SHA-256 of the opaque token, never the token
    family     TEXT NOT NULL,                      -- one login; reuse of a spent token revokes it all
    expires_at TIMESTAMP NOT NULL,
    spent_at   TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Full-text index over what readers search. External content: the text lives once, in
-- articles; the triggers keep the index in step inside the writing transaction.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, excerpt, body,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Relevance: a match in the title counts most, then the excerpt, then the body.
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)');
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

-- A count of content writes, kept by triggers so that every process (another Warta on the
-- same database, the CLI) sees that content changed: response caches key on it.
CREATE TABLE content_version (
    id      INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 0);
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
