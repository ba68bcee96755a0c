DROP TABLE article_tags;
DROP TABLE tags;
