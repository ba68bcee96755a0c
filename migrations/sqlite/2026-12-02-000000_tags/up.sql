-- Tags: flat labels ("Iran", "Pemilu 2024") beside the category hierarchy, as in WordPress.
-- `name_key` is the name folded for an editor's autocomplete: transliterated, lower-cased words
-- joined by hyphens ("Pemilu Gubernur São Paulo" -> pemilu-gubernur-sao-paulo), the same folding
-- as a slug, so that what is typed matches whatever its accents and case. Written with the name;
-- an autocomplete reads it by a scan of this table, which holds labels, not stories.
CREATE TABLE tags (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    name_key    TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX tags_name ON tags (name, id);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX article_tags_by_tag ON article_tags (tag_id, article_id);
