-- One random stored vector from a block sample (cheap on big tables; may find none).
SELECT {column} AS v FROM {table} TABLESAMPLE SYSTEM (%(percent)s) WHERE {column} IS NOT NULL ORDER BY random() LIMIT 1
