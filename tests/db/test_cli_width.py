"""Text output at any width keeps every name and number whole (issue #14).

At 80 columns (``COLUMNS=80``, output to a pipe) the tables that do not fit turn into psql-style
records instead of squeezing the name columns to nothing; without ``COLUMNS`` a pipe or file is
not limited to 80 columns at all. Run as a superuser and as a role with only SELECT on the table.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pgvtui.cli import main

ROOT = Path(__file__).parents[2]

# Two indexes whose names differ only after 20 characters, a long table name and a long
# expression key: exactly what a squeezed column made indistinguishable.
SCHEMA = """
CREATE TABLE articles_with_a_rather_long_table_name (
    id int PRIMARY KEY, embedding vector(3), category text);
INSERT INTO articles_with_a_rather_long_table_name
SELECT g, ARRAY[g % 11, g % 7, 1]::real[]::vector, (g % 5)::text FROM generate_series(1, 400) g;
CREATE INDEX articles_embedding_idx ON articles_with_a_rather_long_table_name
    USING hnsw (embedding vector_l2_ops);
CREATE INDEX articles_embedding_index ON articles_with_a_rather_long_table_name
    USING hnsw (embedding vector_cosine_ops) WITH (m = 8) WHERE category = '1';
ANALYZE articles_with_a_rather_long_table_name;
"""

NAMES = (
    "articles_embedding_idx",
    "articles_embedding_index",
    "articles_with_a_rather_long_table_name",
)

COMMANDS = {
    "inventory": ["inventory"],
    "residency": ["residency"],
    "check": ["check", "--fail-on", "never"],
    "recall": ["recall", "--index", "articles_embedding_idx", "--queries", "5",
               "--ef-search", "40"],
}  # fmt: skip

EXPECTED = {  # the names each report shows (recall measures one index; residency and the
    # catalog check name indexes, not tables)
    "residency": NAMES[:2],
    "check": NAMES[:2],
    "recall": NAMES[:1],
}


@pytest.fixture
def reader(dsn: str, admin: psycopg.Connection) -> Iterator[str]:
    """A login with SELECT on the one table and nothing else (no pg_monitor)."""
    admin.execute(SCHEMA)
    name = f"pgvtui_w14c_{uuid.uuid4().hex[:6]}"
    password = "pw-" + secrets.token_hex(8)
    ident = sql.Identifier(name)
    dbname = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password)))
    admin.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(str(dbname)), ident)
    )
    admin.execute(
        sql.SQL("GRANT SELECT ON articles_with_a_rather_long_table_name TO {}").format(ident)
    )
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    params.update(user=name, password=password, host="127.0.0.1")
    yield psycopg.conninfo.make_conninfo("", **{k: str(v) for k, v in params.items()})
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,)
    )
    admin.execute(sql.SQL("DROP OWNED BY {}").format(ident))
    admin.execute(sql.SQL("DROP ROLE {}").format(ident))


def assert_whole(out: str, command: str) -> None:
    assert not re.search(r"…(\s|│|$)", out, re.M), out  # nothing was cut with an ellipsis
    for line in out.splitlines():
        assert line == line.rstrip(), f"trailing space: {line!r}"
    for name in NAMES:
        if name not in EXPECTED.get(command, NAMES):
            continue
        # the whole name, as a word of its own: not the prefix of a longer one cut short
        assert re.search(rf"(?<![\w]){name}(?![\w])", out), (name, out)


@pytest.mark.parametrize("role", ["superuser", "select-only"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_80_columns_piped_keeps_full_names(
    command: str,
    role: str,
    dsn: str,
    reader: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("PGVTUI_CONFIG", os.devnull + "-none")
    argv = COMMANDS[command]
    conninfo = dsn if role == "superuser" else reader
    rc = main([argv[0], conninfo, *argv[1:]])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert_whole(out, command)
    if command in ("inventory", "residency"):
        assert "-[ RECORD 1 ]" in out  # the index table cannot fit 80 columns: records
        # the two names sit on lines of their own, each labelled
        assert re.search(r"^index +\| (public\.)?articles_embedding_index\b", out, re.M), out


def test_estimate_at_80_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    args = ["estimate", "--method", "hnsw", "--type", "vector", "--dims", "1536"]
    assert main([*args, "--rows", "12345678"]) == 0
    out = capsys.readouterr().out
    assert "binary-quantized bit(1536) + re-rank" in out
    assert "94.2 GB" in out  # the as-given size: a number is never cut
    for line in out.splitlines():
        assert line == line.rstrip()


def test_pipe_without_columns_is_not_80_wide(dsn: str, admin: psycopg.Connection) -> None:
    """A real pipe, no COLUMNS: the index table prints as a table at its natural width."""
    admin.execute(SCHEMA)
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["PYTHONPATH"] = str(ROOT)
    env["PGVTUI_CONFIG"] = os.devnull + "-none"
    proc = subprocess.run(
        [sys.executable, "-m", "pgvtui", "inventory", dsn],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "RECORD" not in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if line.startswith("index "))
    assert len(header) > 80
    row = next(line for line in proc.stdout.splitlines() if "articles_embedding_index" in line)
    assert "public.articles_with_a_rather_long_table_name" in row
    assert "WHERE" in row or "category" in row  # the predicate on the same line
    assert "\x1b[" not in proc.stdout  # no colour into a pipe
    assert_whole(proc.stdout, "inventory")


# LangChain's PGVector tables (langchain_postgres, as in bytesc/data-copilot pgv/create_table.sql)
# and the Prisma example's mixed-case table from langchain.js: real clients' names.
CLIENT_SCHEMA = """
CREATE TABLE langchain_pg_collection (
    uuid uuid PRIMARY KEY, name varchar NOT NULL UNIQUE, cmetadata json);
CREATE TABLE langchain_pg_embedding (
    uuid uuid PRIMARY KEY, collection_id uuid REFERENCES langchain_pg_collection (uuid)
        ON DELETE CASCADE,
    embedding vector(3), document varchar, cmetadata jsonb, custom_id varchar);
INSERT INTO langchain_pg_collection VALUES ('00000000-0000-0000-0000-000000000001', 'docs', NULL);
INSERT INTO langchain_pg_embedding
SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid,
       '00000000-0000-0000-0000-000000000001', ARRAY[g % 11, g % 7, 1]::real[]::vector,
       'doc ' || g, '{}'::jsonb, NULL
FROM generate_series(1, 500) g;
CREATE INDEX langchain_pg_embedding_hnsw_idx ON langchain_pg_embedding
    USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX ON langchain_pg_embedding
    USING ivfflat (embedding vector_cosine_ops) WITH (lists = 100);
CREATE TABLE "prismaLangChain" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(), "content" text, "metadata" jsonb,
    "vector" vector(3), CONSTRAINT "prismaLangChain_pkey" PRIMARY KEY ("id"));
INSERT INTO "prismaLangChain" ("content", "vector")
SELECT 'c' || g, ARRAY[g % 5, 1, 2]::real[]::vector FROM generate_series(1, 300) g;
CREATE INDEX "prismaLangChain_vector_idx" ON "prismaLangChain"
    USING hnsw ("vector" vector_cosine_ops);
ANALYZE;
"""

CLIENT_NAMES = (
    "langchain_pg_embedding_hnsw_idx",
    "langchain_pg_embedding_embedding_idx",
    "prismaLangChain_vector_idx",
)


@pytest.mark.parametrize("command", ["inventory", "residency", "check"])
def test_client_library_schemas_at_80_columns(
    command: str,
    dsn: str,
    admin: psycopg.Connection,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    admin.execute(CLIENT_SCHEMA)
    monkeypatch.setenv("COLUMNS", "80")
    argv = [command, dsn] + (["--fail-on", "never"] if command == "check" else [])
    assert main(argv) == 0
    out = capsys.readouterr().out
    for line in out.splitlines():
        assert line == line.rstrip()
    assert not re.search(r"…(\s|│|$)", out, re.M), out
    shown = CLIENT_NAMES if command != "check" else CLIENT_NAMES[:2]  # check names what it flags
    for name in shown:
        assert re.search(rf"(?<![\w]){name}(?![\w])", out), (name, out)
    if command == "inventory":
        assert re.search(r'^table +\| public\."?prismaLangChain"?$', out, re.M), out
