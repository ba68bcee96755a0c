DROP TABLE refresh_tokens;
DROP TABLE comments;
DROP FUNCTION comments_keep_count;
DROP TABLE article_categories;
DROP TABLE articles;
DROP TABLE categories;
DROP TABLE users;
DROP FUNCTION warta_search_text;
DROP TEXT SEARCH CONFIGURATION warta_search;
