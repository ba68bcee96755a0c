-- Nothing to undo: AUTOINCREMENT only stops ids from coming back, and the code before this
-- migration reads the tables as they are.
SELECT 1;
