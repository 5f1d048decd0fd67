-- Cancel the running statement of one backend (only ever called for pgvtui's own backends).
SELECT pg_catalog.pg_cancel_backend(%(pid)s::int) AS cancelled
