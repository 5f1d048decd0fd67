-- title: Rare filter after the ANN scan returns fewer rows than LIMIT
-- expect: filter-underflow
-- set: hnsw.iterative_scan=off
SELECT id, title
FROM articles
WHERE topic = 'obituaries'
ORDER BY embedding <=> (SELECT embedding FROM articles WHERE id = 42)
LIMIT 10
