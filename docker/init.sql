-- Runs once when the container's data directory is created.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_buffercache;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;

-- A least-privilege role for pgvtui (see docs/safety.md).
CREATE ROLE pgvtui_ro LOGIN PASSWORD 'change-me' IN ROLE pg_monitor;
GRANT USAGE ON SCHEMA public TO pgvtui_ro;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO pgvtui_ro;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO pgvtui_ro;
