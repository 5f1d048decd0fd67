-- title: Expression index on ::halfvec(512), query on the bare column
-- expect: type-mismatch
SELECT id, caption
FROM images
ORDER BY embedding <=> (SELECT embedding FROM images WHERE id = 3)
LIMIT 10
