-- title: The same filter with iterative scan (relaxed_order) fills the LIMIT
-- expect:
-- set: hnsw.iterative_scan=relaxed_order
SELECT id, title
FROM articles
WHERE topic = 'obituaries'
ORDER BY embedding <=> (SELECT embedding FROM articles WHERE id = 42)
LIMIT 10
