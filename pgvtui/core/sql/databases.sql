-- Databases on this server the current role may connect to (the TUI's connect dialog lists them).
SELECT datname AS name
FROM pg_database
WHERE datallowconn
  AND NOT datistemplate
  AND has_database_privilege(datname, 'CONNECT')
ORDER BY datname
LIMIT %(limit)s
