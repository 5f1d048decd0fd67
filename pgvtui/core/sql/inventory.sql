-- The whole inventory in one statement: server, settings, vector columns, ANN indexes (each relation's size read once).
WITH load_vector AS MATERIALIZED (
    -- loads the vector library first, so the hnsw.* / ivfflat.* settings below exist
    SELECT NULL::{vector_type} AS v
), vtypes AS (
    SELECT t.oid, t.typname
      FROM pg_catalog.pg_type t
      JOIN pg_catalog.pg_depend d
        ON d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'vector'
     WHERE t.typname IN ('vector', 'halfvec', 'sparsevec')
), attrs AS MATERIALIZED (
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
), cols AS MATERIALIZED (
    SELECT a.*, c.relname, c.reltuples, c.reltoastrelid, n.nspname
      FROM attrs a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'm')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_toast'
       AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
), ann AS MATERIALIZED (
    SELECT x.indexrelid, x.indrelid, x.indkey[0] AS key_attnum, x.indclass[0] AS opclass_oid,
           x.indpred, x.indisvalid, x.indisready,
           i.relname, i.reloptions, am.amname, n.nspname
      FROM pg_catalog.pg_am am
      JOIN pg_catalog.pg_class i ON i.relam = am.oid AND i.relkind = 'i'
      JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid
      JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
     WHERE am.amname IN ('hnsw', 'ivfflat')
       AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
), owners AS MATERIALIZED (
    SELECT DISTINCT attrelid AS oid, reltoastrelid AS toast FROM cols
), rels AS (
    -- every relation whose size is reported, once: tables with vector columns, their TOAST
    -- table and its index, all their indexes, and ANN indexes on any other table
    SELECT o.oid AS owner, o.oid AS rel, 'table' AS part FROM owners o
    UNION ALL
    SELECT o.oid, o.toast, 'toast' FROM owners o WHERE o.toast <> 0
    UNION ALL
    SELECT o.oid, x.indexrelid, 'toast' FROM owners o
      JOIN pg_catalog.pg_index x ON x.indrelid = o.toast WHERE o.toast <> 0
    UNION ALL
    SELECT o.oid, x.indexrelid, 'index' FROM owners o
      JOIN pg_catalog.pg_index x ON x.indrelid = o.oid
    UNION ALL
    SELECT a.indrelid, a.indexrelid, 'index' FROM ann a
     WHERE a.indrelid NOT IN (SELECT oid FROM owners)
), sizes AS MATERIALIZED (
    -- pg_total_relation_size, but without reading any fork twice: the visibility map exists
    -- only for tables and the init fork only for unlogged relations
    SELECT r.owner, r.rel, r.part, s.main,
           s.main + pg_catalog.pg_relation_size(r.rel, 'fsm')
             + CASE WHEN c.relkind IN ('r', 't', 'm') THEN pg_catalog.pg_relation_size(r.rel, 'vm') ELSE 0 END
             + CASE WHEN c.relpersistence = 'u' THEN pg_catalog.pg_relation_size(r.rel, 'init') ELSE 0 END
             AS forks
      FROM rels r
      JOIN pg_catalog.pg_class c ON c.oid = r.rel
     CROSS JOIN LATERAL (SELECT pg_catalog.pg_relation_size(r.rel, 'main') AS main) s
), owner_sizes AS (
    SELECT owner,
           sum(main) FILTER (WHERE part = 'table')::int8 AS table_bytes,
           coalesce(sum(forks) FILTER (WHERE part = 'toast'), 0)::int8 AS toast_bytes,
           sum(forks)::int8 AS total_bytes
      FROM sizes
     GROUP BY owner
)
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
       (SELECT json_object_agg(g.name, CASE WHEN s.name IS NOT NULL
                                            THEN current_setting(g.name, true) END)
          FROM unnest(%(settings)s::text[]) AS g(name)
          LEFT JOIN pg_catalog.pg_settings s ON s.name = g.name) AS settings,
       (SELECT coalesce(json_agg(json_build_array(
                   a.nspname, a.relname, a.attname, a.typname,
                   CASE WHEN a.atttypmod > 0 THEN a.atttypmod END,
                   NOT a.attnotnull,
                   CASE WHEN a.reltuples >= 0 THEN a.reltuples::int8 END,
                   st.null_frac::float8, st.avg_width,
                   CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external'
                                     WHEN 'm' THEN 'main' ELSE 'extended' END,
                   os.table_bytes, os.toast_bytes, os.total_bytes,
                   a.attrelid::int8, a.attnum::int,
                   pg_catalog.pg_stat_get_dead_tuples(a.attrelid),
                   pg_catalog.pg_stat_get_live_tuples(a.attrelid),
                   pg_catalog.pg_stat_get_last_autovacuum_time(a.attrelid)::text,
                   pg_catalog.pg_stat_get_last_vacuum_time(a.attrelid)::text)
                   ORDER BY a.nspname, a.relname, a.attnum), '[]')
          FROM cols a
          JOIN owner_sizes os ON os.owner = a.attrelid
          LEFT JOIN LATERAL (
                SELECT s.null_frac, s.avg_width
                  FROM pg_catalog.pg_stats s
                 WHERE s.schemaname = a.nspname AND s.tablename = a.relname
                   AND s.attname = a.attname
                 ORDER BY s.inherited
                 LIMIT 1) st ON true) AS columns,
       (SELECT coalesce(json_agg(json_build_array(
                   a.nspname, t.relname, a.relname, a.amname, opc.opcname,
                   (SELECT o.oprname
                      FROM pg_catalog.pg_amop ao
                      JOIN pg_catalog.pg_operator o ON o.oid = ao.amopopr
                     WHERE ao.amopfamily = opc.opcfamily AND ao.amoppurpose = 'o'
                       AND ao.amoplefttype = opc.opcintype
                     ORDER BY ao.amopstrategy
                     LIMIT 1),
                   pg_catalog.pg_get_indexdef(a.indexrelid),
                   CASE WHEN a.key_attnum <> 0 THEN ta.attname END,
                   CASE WHEN a.key_attnum = 0 THEN pg_catalog.pg_get_indexdef(a.indexrelid, 1, true) END,
                   pg_catalog.pg_get_expr(a.indpred, a.indrelid, true),
                   coalesce(a.reloptions, ARRAY[]::text[]),
                   a.indisvalid, a.indisready, sz.main,
                   pg_catalog.pg_stat_get_numscans(a.indexrelid),
                   {last_scan}::text,
                   a.indexrelid IN (SELECT p.index_relid FROM pg_catalog.pg_stat_progress_create_index p),
                   a.indexrelid::int8, a.indrelid::int8,
                   pg_catalog.format_type(opc.opcintype, NULL),
                   CASE WHEN ia.atttypmod > 0 THEN ia.atttypmod END,
                   CASE WHEN t.reltuples >= 0 THEN t.reltuples::int8 END)
                   ORDER BY a.nspname, t.relname, a.relname), '[]')
          FROM ann a
          JOIN pg_catalog.pg_class t ON t.oid = a.indrelid
          JOIN pg_catalog.pg_opclass opc ON opc.oid = a.opclass_oid
          JOIN pg_catalog.pg_attribute ia ON ia.attrelid = a.indexrelid AND ia.attnum = 1
          JOIN sizes sz ON sz.rel = a.indexrelid
          LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = a.indrelid
                                              AND ta.attnum = a.key_attnum) AS indexes
