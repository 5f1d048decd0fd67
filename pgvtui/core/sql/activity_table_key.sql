-- The single-column primary key (or first single-column unique key) of a table, for building example queries.
SELECT a.attname::text AS key_column, pg_catalog.format_type(a.atttypid, a.atttypmod) AS key_type
  FROM pg_catalog.pg_index x
  JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
 WHERE x.indrelid = %(table_oid)s::oid
   AND x.indnatts = 1 AND x.indisunique AND x.indisvalid AND x.indpred IS NULL
   AND x.indkey[0] <> 0
 ORDER BY x.indisprimary DESC, x.indexrelid
 LIMIT 1
