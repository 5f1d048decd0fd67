-- title: Query vector with the wrong number of dimensions
-- expect: dimension-mismatch
SELECT id, title
FROM articles
ORDER BY embedding <=> '[0.1, 0.2, 0.3]'
LIMIT 10
