-- What this role cannot see of the vector tables: no SELECT, hidden pg_stats rows, schemas without USAGE, monitoring roles, pg_stat_statements.
WITH vtypes AS (
    SELECT t.oid
      FROM pg_catalog.pg_type t
      JOIN pg_catalog.pg_depend d
        ON d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'vector'
     WHERE t.typname IN ('vector', 'halfvec', 'sparsevec')
), cols AS (
    SELECT k.relid, k.attnum, n.nspname, c.relname, a.attname
      FROM unnest(%(table_oids)s::oid[], %(attnums)s::int[]) AS k(relid, attnum)
      JOIN pg_catalog.pg_class c ON c.oid = k.relid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute a ON a.attrelid = k.relid AND a.attnum = k.attnum
)
SELECT (SELECT coalesce(json_agg(DISTINCT pg_catalog.quote_ident(nspname) || '.'
                                 || pg_catalog.quote_ident(relname)), '[]')
          FROM cols WHERE NOT pg_catalog.has_table_privilege(relid, 'SELECT')) AS no_select,
       -- pg_stats shows a row only where the role may SELECT the column
       (SELECT coalesce(json_agg(DISTINCT pg_catalog.quote_ident(nspname) || '.'
                                 || pg_catalog.quote_ident(relname)), '[]')
          FROM cols
         WHERE NOT pg_catalog.has_column_privilege(relid, attnum::int2, 'SELECT')) AS stats_hidden,
       -- vector columns in schemas the role may not use are not in the inventory at all
       -- (found through pg_depend, indexed, as inventory.sql does: no pg_attribute scan)
       (SELECT json_build_array(count(*), count(DISTINCT n.oid))
          FROM vtypes vt
          JOIN pg_catalog.pg_depend d
            ON d.refclassid = 'pg_catalog.pg_type'::regclass AND d.refobjid = vt.oid
           AND d.classid = 'pg_catalog.pg_class'::regclass AND d.objsubid > 0
          JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind IN ('r', 'p', 'm')
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND NOT pg_catalog.has_schema_privilege(n.oid, 'USAGE')) AS hidden_schemas,
       coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user),
                false) AS superuser,
       pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats,
       pg_catalog.pg_has_role(current_user, 'pg_read_all_settings', 'USAGE') AS read_all_settings,
       ss.extversion AS statements_version,
       CASE WHEN ss.oid IS NOT NULL
            THEN pg_catalog.has_table_privilege(
                     pg_catalog.quote_ident(ssn.nspname) || '.pg_stat_statements', 'SELECT')
       END AS statements_readable
  FROM (SELECT 1) AS one
  LEFT JOIN pg_catalog.pg_extension ss ON ss.extname = 'pg_stat_statements'
  LEFT JOIN pg_catalog.pg_namespace ssn ON ssn.oid = ss.extnamespace
