-- Primary-key columns of a table (regclass given as a quoted, possibly schema-qualified name).
SELECT a.attname AS name
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
 WHERE i.indrelid = %(rel)s::regclass AND i.indisprimary
 ORDER BY array_position(i.indkey::int2[], a.attnum)
