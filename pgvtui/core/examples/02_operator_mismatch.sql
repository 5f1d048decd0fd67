-- title: Cosine query on an l2 index (documents)
-- expect: operator-mismatch
SELECT id, title
FROM documents
ORDER BY embedding <=> (SELECT embedding FROM documents WHERE id = 7)
LIMIT 10
