-- This database's pg_stat_statements entries whose text may hold a vector search (any needle; the parser decides), with their counters; column names differ before PostgreSQL 13/14, hence to_jsonb.
SELECT s.queryid,
       r.rolname AS username,
       s.query,
       s.calls,
       coalesce(j ->> 'total_exec_time', j ->> 'total_time')::float8 AS total_ms,
       coalesce(j ->> 'mean_exec_time', j ->> 'mean_time')::float8 AS mean_ms,
       coalesce(j ->> 'max_exec_time', j ->> 'max_time')::float8 AS max_ms,
       coalesce(j ->> 'stddev_exec_time', j ->> 'stddev_time')::float8 AS stddev_ms,
       s.rows,
       s.shared_blks_hit,
       s.shared_blks_read,
       s.temp_blks_read,
       s.temp_blks_written,
       coalesce((j ->> 'toplevel')::bool, true) AS toplevel
  FROM {pgss} AS s
  LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = s.userid
 CROSS JOIN LATERAL pg_catalog.to_jsonb(s.*) AS j
 WHERE s.dbid = (SELECT d.oid FROM pg_catalog.pg_database d
                  WHERE d.datname = pg_catalog.current_database())
   AND s.queryid IS NOT NULL
   AND EXISTS (SELECT 1 FROM pg_catalog.unnest(%(needles)s::text[]) AS n(needle)
                WHERE pg_catalog.strpos(pg_catalog.lower(s.query), n.needle) > 0)
