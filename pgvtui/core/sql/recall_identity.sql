-- Row identity for recall: the table's primary-key columns, and whether a named column exists and is unique.
SELECT coalesce((SELECT array_agg(a.attname::text ORDER BY k.ord)
                   FROM pg_catalog.pg_index x
                  CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_catalog.pg_attribute a
                     ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                  WHERE x.indrelid = %(table_oid)s::oid AND x.indisprimary), '{}') AS pk_columns,
       EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = %(table_oid)s::oid AND a.attname = %(id_column)s
                  AND a.attnum > 0 AND NOT a.attisdropped) AS id_exists,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index x
                 JOIN pg_catalog.pg_attribute a
                   ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
                WHERE x.indrelid = %(table_oid)s::oid AND x.indisunique AND x.indnkeyatts = 1
                  AND x.indpred IS NULL AND a.attname = %(id_column)s) AS id_unique,
       (SELECT c.relkind::text FROM pg_catalog.pg_class c WHERE c.oid = %(table_oid)s::oid) AS relkind
