-- title: ORDER BY distance DESC (the farthest rows: no index can serve it)
-- expect: order-by-desc
SELECT id, title
FROM articles
ORDER BY embedding <=> (SELECT embedding FROM articles WHERE id = 42) DESC
LIMIT 10
