-- Recall ground truth: physical positions (tableoid, ctid) of the exact neighbours → row ids and vectors.
SELECT tableoid::int8 AS toid, ctid::text AS tid, {id} AS id, {col}::text AS vec
  FROM {table}
 WHERE ctid = ANY(%(tids)s::tid[])
