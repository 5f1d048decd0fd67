-- title: No LIMIT: every row is sorted by distance
-- expect: missing-limit
SELECT id, embedding <=> (SELECT embedding FROM articles WHERE id = 42) AS distance
FROM articles
ORDER BY distance
