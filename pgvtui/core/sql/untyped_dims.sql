-- The dimensions stored in a vector/halfvec column declared without them (vector_dims of up to 1,000 non-null values from a block sample), most common first.
SELECT {vector_dims}(s.v) AS dims, count(*) AS n
  FROM (SELECT {column} AS v FROM {table} TABLESAMPLE SYSTEM (%(percent)s)
         WHERE {column} IS NOT NULL LIMIT 1000) AS s
 GROUP BY 1
 ORDER BY 2 DESC, 1
