-- title: Golden path: halfvec + cosine HNSW, ORDER BY distance LIMIT 10
-- expect:
SELECT id, title, embedding <=> (SELECT embedding FROM articles WHERE id = 42) AS distance
FROM articles
ORDER BY distance
LIMIT 10
