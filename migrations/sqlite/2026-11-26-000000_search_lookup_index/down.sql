DROP INDEX articles_search_lookup;
