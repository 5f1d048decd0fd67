-- title: Distance threshold without ORDER BY ... LIMIT (seed guide)
-- expect: distance-threshold-only
SELECT id, title
FROM articles
WHERE embedding <=> (SELECT embedding FROM articles WHERE id = 42) < 0.2
