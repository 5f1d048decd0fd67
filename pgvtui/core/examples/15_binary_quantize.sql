-- title: binary_quantize() per row in ORDER BY with no matching expression index
-- expect: binary-quantize-in-order-by
SELECT id, title
FROM articles
ORDER BY binary_quantize(embedding)::bit(384)
         <~> binary_quantize((SELECT embedding FROM articles WHERE id = 42))
LIMIT 10
