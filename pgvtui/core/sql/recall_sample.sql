-- Recall query vectors: a deterministic pseudo-random sample of rows (order by md5 of id and seed); text output only for the sample.
SELECT s.id, s.vec::text AS vec
  FROM (SELECT {id} AS id, {col} AS vec, md5({id}::text || %(seed)s::text) AS h, {id}::text AS tie
          FROM {table}
         WHERE {col} IS NOT NULL AND ({where})
         ORDER BY 3, 4
         LIMIT %(n)s) AS s
 ORDER BY s.h, s.tie
