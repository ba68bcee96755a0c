-- Media: uploaded images. `file_key` names the stored files (the first 128 bits of the upload's
-- SHA-256): identical uploads share them, and they go with the last row that names them.
-- `variants` lists the resized WebP copies as JSON (`[{"width":320,"height":213}, ...]`,
-- narrowest first); their file names follow from the key and the width. They are read and
-- written with their image, never on their own, so they live in its row.
-- `file_name` is the name the upload came with, kept for the editors' search only: no path is
-- ever made from it.
CREATE TABLE media (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    file_key    TEXT NOT NULL,
    file_name   TEXT NOT NULL DEFAULT '',
    mime_type   TEXT NOT NULL CHECK (mime_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
    width       INTEGER NOT NULL CHECK (width > 0),
    height      INTEGER NOT NULL CHECK (height > 0),
    bytes       INTEGER NOT NULL CHECK (bytes > 0),
    alt         TEXT NOT NULL DEFAULT '',
    caption     TEXT NOT NULL DEFAULT '',
    credit      TEXT NOT NULL DEFAULT '',
    focal_x     DOUBLE PRECISION NOT NULL DEFAULT 0.5 CHECK (focal_x BETWEEN 0 AND 1),
    focal_y     DOUBLE PRECISION NOT NULL DEFAULT 0.5 CHECK (focal_y BETWEEN 0 AND 1),
    variants    TEXT NOT NULL DEFAULT '[]',
    uploaded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX media_newest ON media (created_at, id);
CREATE INDEX media_by_uploader ON media (uploaded_by, created_at, id);
CREATE INDEX media_by_file ON media (file_key);

-- An article's lead image, when it is Warta media. Deleting media in use is refused by the API
-- (409) and by the key.
ALTER TABLE articles ADD COLUMN featured_image_id INTEGER REFERENCES media (id) ON DELETE RESTRICT;
CREATE INDEX articles_by_featured_image ON articles (featured_image_id) WHERE featured_image_id IS NOT NULL;
