-- Recall progress: the table's size in rows (estimate) for the ground-truth progress bar.
SELECT greatest(coalesce(sum(CASE WHEN c.reltuples >= 0 THEN c.reltuples END), 0), 0)::int8 AS rows
  FROM pg_catalog.pg_class c
 WHERE c.oid = %(table_oid)s::oid
    OR c.oid IN (SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = %(table_oid)s::oid)
