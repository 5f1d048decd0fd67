-- title: Relaxed iterative scan in a MATERIALIZED CTE without a forcing re-sort
-- expect: relaxed-order-not-resorted
-- set: hnsw.iterative_scan=relaxed_order
WITH r AS MATERIALIZED (
    SELECT id, title, embedding <=> (SELECT embedding FROM articles WHERE id = 42) AS distance
    FROM articles
    WHERE topic = 'obituaries'
    ORDER BY distance
    LIMIT 10
)
SELECT * FROM r ORDER BY distance
