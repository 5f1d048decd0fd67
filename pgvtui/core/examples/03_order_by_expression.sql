-- title: ORDER BY similarity (1 - distance) DESC instead of the distance
-- expect: order-by-expression
SELECT id, title, 1 - (embedding <=> (SELECT embedding FROM articles WHERE id = 42)) AS similarity
FROM articles
ORDER BY 1 - (embedding <=> (SELECT embedding FROM articles WHERE id = 42)) DESC
LIMIT 10
