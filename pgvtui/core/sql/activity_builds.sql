-- Index builds in progress (pg_stat_progress_create_index) with their phase, counters and duration.
SELECT p.pid,
       coalesce(p.datname::text, '') AS database,
       CASE WHEN p.relid <> 0 THEN p.relid::regclass::text END AS "table",
       coalesce(CASE WHEN p.index_relid <> 0 THEN p.index_relid::regclass::text END,
                substring(a.query FROM '(?i)create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?("[^"]+"|[^\s(]+)\s+on')) AS index,
       coalesce(am.amname::text, lower(substring(a.query FROM '(?i)using\s+(hnsw|ivfflat)'))) AS method,
       p.command,
       p.phase,
       p.blocks_total::int8 AS blocks_total,
       p.blocks_done::int8 AS blocks_done,
       p.tuples_total::int8 AS tuples_total,
       p.tuples_done::int8 AS tuples_done,
       extract(epoch FROM (clock_timestamp() - a.query_start))::float8 AS duration_s
  FROM pg_catalog.pg_stat_progress_create_index p
  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = p.pid
  LEFT JOIN pg_catalog.pg_class i ON i.oid = p.index_relid
  LEFT JOIN pg_catalog.pg_am am ON am.oid = i.relam
 ORDER BY p.pid
