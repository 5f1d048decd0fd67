-- One non-null value of a column, as text, from a block sample of its table: a value for a $n compared with that column (percent 100 reads until the first one).
SELECT {column}::text AS v FROM {table} TABLESAMPLE SYSTEM (%(percent)s) WHERE {column} IS NOT NULL LIMIT 1
