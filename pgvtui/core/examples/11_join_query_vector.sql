-- title: Query vector from a CROSS JOIN instead of a scalar subquery (seed guide)
-- expect: join-query-vector
SELECT a.id, a.title
FROM articles a
CROSS JOIN (SELECT embedding AS q FROM saved_queries WHERE id = 1) s
ORDER BY a.embedding <=> s.q
LIMIT 10
