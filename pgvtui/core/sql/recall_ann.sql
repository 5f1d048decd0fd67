-- Recall: one k-NN query through the ANN index (ids and distances as the application sees them); the comment tags it for pgvtui workload, which does not list pgvtui's own searches.
SELECT /* pgvtui recall check */ {id} AS id, {col} OPERATOR({op}) %(q)s AS distance
  FROM {table}
 WHERE ({where})
 ORDER BY {col} OPERATOR({op}) %(q)s
 LIMIT %(k)s
