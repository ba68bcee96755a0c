-- When articles come out, whatever their kind: what the schedule poll asks four times a second
-- in every process (has one come out since the last look, and when is the next one due). The
-- list indexes lead with `kind`, so without this index both questions walked every article.
CREATE INDEX articles_by_publication ON articles (status, published_at);
