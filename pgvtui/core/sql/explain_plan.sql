-- EXPLAIN without ANALYZE (the planned shape when executing failed, e.g. a dimension mismatch).
EXPLAIN (SETTINGS, FORMAT JSON) {query}
