-- The first rows of one guarded statement, for display (the parentheses also reject a second statement).
SELECT * FROM ({query}) AS pgvtui_rows LIMIT {limit}
