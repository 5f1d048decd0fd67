-- title: Only a partial index (WHERE embedding IS NOT NULL); the query lacks the predicate
-- expect: partial-index-not-matched
SELECT rowid, title
FROM news_archive
ORDER BY embedding <#> (SELECT embedding FROM news_archive WHERE rowid = 2)
LIMIT 10
