-- Recall: one k-NN query through the ANN index (ids and distances as the application sees them).
SELECT {id} AS id, {col} OPERATOR({op}) %(q)s AS distance
  FROM {table}
 WHERE ({where})
 ORDER BY {col} OPERATOR({op}) %(q)s
 LIMIT %(k)s
