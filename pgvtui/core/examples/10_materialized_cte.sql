-- title: Filter in a MATERIALIZED CTE, then ORDER BY distance (seed guide)
-- expect: materialized-cte
WITH recent AS MATERIALIZED (
    SELECT * FROM articles WHERE published_at > '2025-01-01'
)
SELECT id, title
FROM recent
ORDER BY embedding <=> (SELECT embedding FROM articles WHERE id = 42)
LIMIT 10
