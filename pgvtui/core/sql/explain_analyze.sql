-- EXPLAIN ANALYZE of one statement that passed the guard (run inside BEGIN READ ONLY … ROLLBACK).
EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) {query}
