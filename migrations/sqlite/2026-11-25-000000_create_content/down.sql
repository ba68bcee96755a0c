DROP TABLE content_version;
DROP TABLE articles_fts;
DROP TABLE refresh_tokens;
DROP TABLE comments;
DROP TABLE article_categories;
DROP TABLE articles;
DROP TABLE categories;
DROP TABLE users;
