-- title: k-NN on a table with no ANN index (chunks)
-- expect: no-ann-index
SELECT id, content
FROM chunks
ORDER BY embedding <=> (SELECT embedding FROM chunks WHERE id = 5)
LIMIT 10
