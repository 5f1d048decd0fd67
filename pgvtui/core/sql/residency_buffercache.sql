-- Cached pages per relation and usage count, for all given relations in ONE pass over pg_buffercache.
WITH db AS (
    SELECT d.oid, d.dattablespace
      FROM pg_catalog.pg_database d
     WHERE d.datname = pg_catalog.current_database()
), rel AS (
    SELECT c.oid,
           pg_catalog.pg_relation_filenode(c.oid) AS filenode,
           CASE WHEN c.reltablespace = 0 THEN (SELECT dattablespace FROM db)
                ELSE c.reltablespace END AS spc
      FROM pg_catalog.pg_class c
     WHERE c.oid = ANY(%(oids)s::oid[])
)
SELECT rel.oid::int8 AS index_oid,
       coalesce(b.usagecount, 0)::int AS usage_count,
       count(*)::int8 AS pages
  FROM {buffercache} b
  JOIN rel ON rel.filenode = b.relfilenode AND rel.spc = b.reltablespace
 WHERE b.reldatabase = (SELECT oid FROM db)
   AND b.relforknumber = 0
 GROUP BY 1, 2
 ORDER BY 1, 2
