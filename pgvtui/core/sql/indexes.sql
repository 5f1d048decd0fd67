-- Every HNSW/IVFFlat index: opclass and the operator it serves, key, predicate, options, validity, size, usage.
SELECT n.nspname AS schema,
       t.relname AS "table",
       i.relname AS name,
       am.amname AS method,
       opc.opcname AS opclass,
       (SELECT o.oprname
          FROM pg_catalog.pg_amop ao
          JOIN pg_catalog.pg_operator o ON o.oid = ao.amopopr
         WHERE ao.amopfamily = opc.opcfamily AND ao.amoppurpose = 'o'
           AND ao.amoplefttype = opc.opcintype
         ORDER BY ao.amopstrategy
         LIMIT 1) AS operator,
       pg_catalog.pg_get_indexdef(i.oid) AS definition,
       CASE WHEN x.indkey[0] <> 0 THEN ta.attname END AS key_column,
       CASE WHEN x.indkey[0] = 0 THEN pg_catalog.pg_get_indexdef(i.oid, 1, true) END AS key_expression,
       pg_catalog.pg_get_expr(x.indpred, x.indrelid, true) AS predicate,
       coalesce(i.reloptions, ARRAY[]::text[]) AS reloptions,
       x.indisvalid AS valid,
       x.indisready AS ready,
       pg_catalog.pg_relation_size(i.oid)::int8 AS size_bytes,
       pg_catalog.pg_stat_get_numscans(i.oid) AS idx_scan,
       {last_scan}::text AS last_idx_scan,
       i.oid IN (SELECT p.index_relid FROM pg_catalog.pg_stat_progress_create_index p)
           AS building,
       i.oid::int8 AS index_oid,
       t.oid::int8 AS table_oid,
       pg_catalog.format_type(opc.opcintype, NULL) AS key_type,
       CASE WHEN ia.atttypmod > 0 THEN ia.atttypmod END AS key_dims,
       CASE WHEN t.reltuples >= 0 THEN t.reltuples::int8 END AS table_rows_estimate
  FROM pg_catalog.pg_index x
  JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
  JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
  JOIN pg_catalog.pg_am am ON am.oid = i.relam AND am.amname IN ('hnsw', 'ivfflat')
  JOIN pg_catalog.pg_opclass opc ON opc.oid = x.indclass[0]
  JOIN pg_catalog.pg_attribute ia ON ia.attrelid = i.oid AND ia.attnum = 1
  LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = t.oid AND ta.attnum = x.indkey[0]
 WHERE pg_catalog.has_schema_privilege(n.oid, 'USAGE')
 ORDER BY n.nspname, t.relname, i.relname
