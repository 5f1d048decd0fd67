-- The first rows of one guarded statement, for display (the parentheses also reject a second statement).
-- The tag keeps it out of `pgvtui workload` (pg_stat_statements keeps comments).
SELECT /* pgvtui result preview */ * FROM ({query}) AS pgvtui_rows LIMIT {limit}
