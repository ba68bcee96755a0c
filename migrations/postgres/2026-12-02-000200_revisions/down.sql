DROP TABLE revisions;
DROP FUNCTION warta_refuse_update();
