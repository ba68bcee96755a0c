-- Identity columns never hand out an id twice: nothing to do on PostgreSQL.
SELECT 1;
