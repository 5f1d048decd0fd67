-- One stored vector by primary key (identifiers composed by the caller).
SELECT {column} AS v FROM {table} WHERE {key} = %(key)s LIMIT 1
