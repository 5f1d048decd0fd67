-- Connection set-up: server identity and pgvector's type OIDs, in one round trip.
SELECT current_setting('server_version_num')::int AS version_num,
       current_setting('server_version') AS version,
       current_database() AS database,
       current_user AS usr,
       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS is_superuser,
       pg_backend_pid() AS backend_pid,
       e.extversion AS pgvector_version,
       (SELECT default_version FROM pg_catalog.pg_available_extensions
         WHERE name = 'vector') AS pgvector_available,
       n.nspname AS vector_schema,
       (SELECT json_object_agg(t.typname, json_build_array(t.oid::int8, t.typarray::int8))
          FROM pg_catalog.pg_type t
          JOIN pg_catalog.pg_depend d
            ON d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid
           AND d.deptype = 'e' AND d.refobjid = e.oid
         WHERE t.typname IN ('vector', 'halfvec', 'sparsevec')) AS vector_types
FROM (SELECT 1) AS one
LEFT JOIN pg_catalog.pg_extension e ON e.extname = 'vector'
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
