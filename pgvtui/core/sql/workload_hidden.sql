-- How many of this database's pg_stat_statements entries this role may not read the text of (other roles' statements without pg_read_all_stats).
SELECT count(*) AS hidden
  FROM {pgss} AS s
 WHERE s.dbid = (SELECT d.oid FROM pg_catalog.pg_database d
                  WHERE d.datname = pg_catalog.current_database())
   AND (s.queryid IS NULL OR s.query = '<insufficient privilege>')
