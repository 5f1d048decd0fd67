-- title: vector column queried with a ::halfvec literal casts the column (documents)
-- expect: type-mismatch
SELECT id, title
FROM documents
ORDER BY embedding::halfvec(768) <-> (SELECT embedding::halfvec(768) FROM documents WHERE id = 7)
LIMIT 10
