-- title: IVFFlat, probes = 1, with a filter
-- expect: filter-underflow
-- set: ivfflat.probes=1
SELECT id, name
FROM products
WHERE category = 'cat-3'
ORDER BY embedding <=> (SELECT embedding FROM products WHERE id = 11)
LIMIT 10
