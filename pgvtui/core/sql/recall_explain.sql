-- Recall: server time, rows, buffers and plan of one k-NN query (recall_ann.sql) under the setting.
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) {query}
