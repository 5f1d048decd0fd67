-- Server identity, pgvector-related extensions and settings (loads the vector library first so hnsw.*/ivfflat.* exist).
WITH load_vector AS MATERIALIZED (SELECT NULL::{vector_type} AS v)
SELECT (SELECT count(*) FROM load_vector) AS loaded,
       version() AS version_full,
       pg_is_in_recovery() AS in_recovery,
       (SELECT json_object_agg(name, json_build_object('installed', installed_version,
                                                       'available', default_version))
          FROM pg_catalog.pg_available_extensions
         WHERE name = ANY(%(extensions)s::text[])) AS extensions,
       (SELECT stats_reset::text FROM pg_catalog.pg_stat_database
         WHERE datname = current_database()) AS stats_reset,
       -- pg_settings omits settings the role may not read (current_setting would ERROR)
       (SELECT json_object_agg(g.name, CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_settings s
                                                          WHERE s.name = g.name)
                                            THEN current_setting(g.name, true) END)
          FROM unnest(%(settings)s::text[]) AS g(name)) AS settings
