-- Memory settings (bytes) and pg_buffercache / pg_prewarm status for the residency report.
SELECT pg_catalog.pg_size_bytes(pg_catalog.current_setting('shared_buffers')) AS shared_buffers_bytes,
       pg_catalog.pg_size_bytes(pg_catalog.current_setting('effective_cache_size'))
           AS effective_cache_size_bytes,
       pg_catalog.current_setting('block_size')::int AS block_size,
       (SELECT s.setting::int8 FROM pg_catalog.pg_settings s WHERE s.name = 'shared_buffers')
           AS nbuffers,
       -- pg_settings omits it (rather than failing) for roles that may not read it
       (SELECT s.setting FROM pg_catalog.pg_settings s
         WHERE s.name = 'shared_preload_libraries') AS shared_preload_libraries,
       bc.extversion AS buffercache_version,
       bcn.nspname AS buffercache_schema,
       (SELECT a.default_version FROM pg_catalog.pg_available_extensions a
         WHERE a.name = 'pg_buffercache') AS buffercache_available,
       -- the view needs SELECT and its function EXECUTE (a plain GRANT SELECT ON ALL TABLES
       -- gives the first without the second; pg_monitor has both)
       CASE WHEN bc.oid IS NOT NULL
            THEN pg_catalog.has_table_privilege(
                     pg_catalog.quote_ident(bcn.nspname) || '.pg_buffercache', 'SELECT')
                 AND pg_catalog.has_function_privilege(
                     pg_catalog.quote_ident(bcn.nspname) || '.pg_buffercache_pages()', 'EXECUTE')
       END AS buffercache_readable,
       coalesce(r.rolsuper, false)
         OR (coalesce((SELECT bool_or(v.trusted) FROM pg_catalog.pg_available_extension_versions v
                        WHERE v.name = 'pg_buffercache'), false)
             AND pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE'))
           AS buffercache_creatable,
       pw.extversion AS prewarm_version,
       pwn.nspname AS prewarm_schema,
       (SELECT a.default_version FROM pg_catalog.pg_available_extensions a
         WHERE a.name = 'pg_prewarm') AS prewarm_available
  FROM (SELECT 1) AS one
  LEFT JOIN pg_catalog.pg_roles r ON r.rolname = current_user
  LEFT JOIN pg_catalog.pg_extension bc ON bc.extname = 'pg_buffercache'
  LEFT JOIN pg_catalog.pg_namespace bcn ON bcn.oid = bc.extnamespace
  LEFT JOIN pg_catalog.pg_extension pw ON pw.extname = 'pg_prewarm'
  LEFT JOIN pg_catalog.pg_namespace pwn ON pwn.oid = pw.extnamespace
