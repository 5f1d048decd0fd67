-- Running statements that look like vector work (a pgvector operator, an ANN index build) or come from pgvtui, longest first.
SELECT a.pid,
       coalesce(a.usename::text, '') AS usename,
       coalesce(a.application_name, '') AS application_name,
       coalesce(a.datname::text, '') AS database,
       coalesce(a.state, '') AS state,
       extract(epoch FROM (clock_timestamp() - a.query_start))::float8 AS duration_s,
       a.wait_event_type,
       a.wait_event,
       left(a.query, 4000) AS query,
       a.pid = ANY(%(own_pids)s::int[]) AS is_own
  FROM pg_catalog.pg_stat_activity a
 WHERE a.pid <> pg_catalog.pg_backend_pid()
   AND a.backend_type = 'client backend'
   AND a.state IS DISTINCT FROM 'idle'
   AND (a.query ~ '<->|<#>|<=>|<\+>|<~>|<%%>'
        OR a.query ~* 'using\s+(hnsw|ivfflat)'
        OR a.application_name = 'pgvtui')
 ORDER BY a.query_start NULLS LAST
 LIMIT 200
