-- reltuples of a table (regclass given as a quoted, possibly schema-qualified name).
SELECT reltuples::float8 AS rows FROM pg_catalog.pg_class WHERE oid = %(rel)s::regclass
