DROP TABLE content_changes;
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
