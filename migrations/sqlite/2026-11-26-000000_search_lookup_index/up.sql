-- A search walks the full-text matches and checks each against the reader's filters. This
-- index answers that check (visibility, dates, author) by article id without reading the
-- article's row, whose body makes it many times larger: the check then costs the same
-- whatever the size of the archive.
CREATE INDEX articles_search_lookup ON articles (id, status, published_at, updated_at, author_id);
