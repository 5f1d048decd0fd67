-- Recall query vectors: a deterministic pseudo-random sample of rows (order by md5 of id and seed).
SELECT {id} AS id, {col}::text AS vec
  FROM {table}
 WHERE {col} IS NOT NULL AND ({where})
 ORDER BY md5({id}::text || %(seed)s::text), {id}::text
 LIMIT %(n)s
