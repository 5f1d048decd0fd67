-- Every vector/halfvec/bit/sparsevec column the role can see, with stats, storage and sizes.
WITH vtypes AS (
    SELECT t.oid, t.typname
      FROM pg_catalog.pg_type t
      JOIN pg_catalog.pg_depend d
        ON d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'vector'
     WHERE t.typname IN ('vector', 'halfvec', 'sparsevec')
), cols AS MATERIALIZED (
    -- Columns of pgvector's types are found through their pg_depend entries (indexed);
    -- bit is a built-in (pinned) type with no such entries, so it needs a scan.
    SELECT a.attrelid, a.attnum, a.attname, a.atttypmod, a.attnotnull, a.attstorage, vt.typname
      FROM vtypes vt
      JOIN pg_catalog.pg_depend d
        ON d.refclassid = 'pg_catalog.pg_type'::regclass AND d.refobjid = vt.oid
       AND d.classid = 'pg_catalog.pg_class'::regclass AND d.objsubid > 0
      JOIN pg_catalog.pg_attribute a ON a.attrelid = d.objid AND a.attnum = d.objsubid
                                     AND a.atttypid = vt.oid
    UNION ALL
    SELECT a.attrelid, a.attnum, a.attname, a.atttypmod, a.attnotnull, a.attstorage, 'bit'
      FROM pg_catalog.pg_attribute a
     WHERE a.atttypid = 'pg_catalog.bit'::regtype AND a.attnum > 0
)
SELECT n.nspname AS schema,
       c.relname AS "table",
       a.attname AS "column",
       a.typname AS type,
       CASE WHEN a.atttypmod > 0 THEN a.atttypmod END AS dims,
       NOT a.attnotnull AS nullable,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::int8 END AS rows_estimate,
       st.null_frac::float8 AS null_frac,
       st.avg_width AS avg_width,
       CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external'
                         WHEN 'm' THEN 'main' ELSE 'extended' END AS storage,
       pg_catalog.pg_relation_size(c.oid)::int8 AS table_bytes,
       CASE WHEN c.reltoastrelid <> 0
            THEN pg_catalog.pg_total_relation_size(c.reltoastrelid) ELSE 0 END::int8 AS toast_bytes,
       pg_catalog.pg_total_relation_size(c.oid)::int8 AS total_bytes,
       c.oid::int8 AS table_oid,
       a.attnum::int AS attnum,
       pg_catalog.pg_stat_get_dead_tuples(c.oid) AS n_dead_tup,
       pg_catalog.pg_stat_get_live_tuples(c.oid) AS n_live_tup,
       pg_catalog.pg_stat_get_last_autovacuum_time(c.oid)::text AS last_autovacuum,
       pg_catalog.pg_stat_get_last_vacuum_time(c.oid)::text AS last_vacuum
  FROM cols a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN LATERAL (
        SELECT s.null_frac, s.avg_width
          FROM pg_catalog.pg_stats s
         WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
         ORDER BY s.inherited
         LIMIT 1) st ON true
 WHERE c.relkind IN ('r', 'p', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast'
   AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
 ORDER BY n.nspname, c.relname, a.attnum
