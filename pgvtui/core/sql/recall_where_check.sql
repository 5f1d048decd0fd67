-- Recall: let the server check that --where is a boolean expression over the table (planned, not run).
EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} WHERE ({where})
