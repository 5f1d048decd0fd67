-- Recall ground truth: physical positions (tableoid, ctid) of the exact neighbours → row ids.
SELECT tableoid::int8 AS toid, ctid::text AS tid, {id} AS id
  FROM {table}
 WHERE ctid = ANY(%(tids)s::tid[])
