-- One random stored vector (full scan; the fallback when the sample found none).
SELECT {column} AS v FROM {table} WHERE {column} IS NOT NULL ORDER BY random() LIMIT 1
