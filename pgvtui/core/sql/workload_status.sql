-- pg_stat_statements here: installed in which schema, loaded at server start, and whether this role may read other roles' query texts.
SELECT (SELECT n.nspname
          FROM pg_catalog.pg_extension e
          JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS schema,
       (SELECT e.extversion FROM pg_catalog.pg_extension e
         WHERE e.extname = 'pg_stat_statements') AS version,
       EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions a
                WHERE a.name = 'pg_stat_statements') AS available,
       -- NULL when the role may not read the setting (pg_settings omits it)
       (SELECT 'pg_stat_statements' = ANY (
                   SELECT pg_catalog.btrim(lib, ' "')
                     FROM pg_catalog.unnest(pg_catalog.string_to_array(s.setting, ',')) AS lib)
          FROM pg_catalog.pg_settings s
         WHERE s.name = 'shared_preload_libraries') AS preloaded,
       pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats
