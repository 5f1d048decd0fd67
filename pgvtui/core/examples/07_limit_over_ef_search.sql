-- title: LIMIT 100 with hnsw.ef_search = 40 and iterative scan off
-- expect: limit-over-ef-search
-- set: hnsw.ef_search=40
-- set: hnsw.iterative_scan=off
SELECT id, title
FROM articles
ORDER BY embedding <=> (SELECT embedding FROM articles WHERE id = 42)
LIMIT 100
