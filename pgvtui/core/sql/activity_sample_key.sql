-- One key of a random row whose vector is not NULL (a sampled page first, any row as fallback).
SELECT k::text AS key
  FROM (
        (SELECT {key} AS k FROM {table} TABLESAMPLE SYSTEM (%(pct)s) WHERE {column} IS NOT NULL LIMIT 1)
        UNION ALL
        (SELECT {key} FROM {table} WHERE {column} IS NOT NULL LIMIT 1)
       ) s
 LIMIT 1
