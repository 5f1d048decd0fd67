"""``--format sql`` (check, residency) is one script PostgreSQL accepts: pglast parses it into
exactly the fixes' statements, and the real server's psql runs it (as a role that may change
nothing, in read-only transactions) with no syntax error. Also: the text report prints every
fix line whole, with nothing else on it, at 80 columns."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import uuid
from collections.abc import Iterator

import pglast
import psycopg
import pytest
from pglast.stream import RawStream
from psycopg import sql

from pgvtui.cli import build_parser, main
from pgvtui.commands.check import build_report
from pgvtui.commands.common import apply_config
from pgvtui.core.config import Config
from pgvtui.core.embedded import _bin_dir

# Names that break a careless script: quotes, a semicolon, a comment marker (and, below, a
# line break).
SCHEMA_SQL = sql.SQL(
    """
CREATE SCHEMA {schema};
CREATE TABLE {table} (id int PRIMARY KEY, {col} vector(3));
INSERT INTO {table} SELECT g, ARRAY[g % 13, g % 7, 1]::real[]::vector
    FROM generate_series(1, 1000) g;
CREATE INDEX {dup_a} ON {table} USING hnsw ({col} vector_l2_ops);
CREATE INDEX {dup_b} ON {table} USING hnsw ({col} vector_l2_ops);
CREATE INDEX {ivf} ON {table} USING ivfflat ({col} vector_l2_ops) WITH (lists = 200);
ANALYZE {table};
"""
)


def schema(dup_b: str = "dup b; --") -> sql.Composed:
    return SCHEMA_SQL.format(
        schema=sql.Identifier("we're; odd"),
        table=sql.Identifier("we're; odd", "items -- x"),
        col=sql.Identifier("em'b"),
        dup_a=sql.Identifier("dup a"),
        dup_b=sql.Identifier(dup_b),
        ivf=sql.Identifier("ivf 'x'"),
    )


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    main(argv)
    out, err = capsys.readouterr()
    assert "Internal error" not in err, err
    return out


def _sql_fixes(dsn: str) -> list[str]:
    """The catalog check's SQL fixes, from the report itself."""
    args = build_parser().parse_args(["check", dsn, "--fail-on", "never"])
    apply_config(args, Config())
    return [f.fix for f in build_report(args).findings if f.fix and f.fix_is_sql]


def _statements(text: str) -> list[str]:
    """Each statement PostgreSQL's parser finds in ``text``, deparsed (comments are gone)."""
    return [RawStream()(raw.stmt) for raw in pglast.parse_sql(text)]


@pytest.fixture
def nobody(dsn: str, admin: psycopg.Connection) -> Iterator[dict[str, str]]:
    """A login that may connect and nothing else: every fix that changes something fails."""
    name = f"pgvtui_w14c_ro_{uuid.uuid4().hex[:6]}"
    password = "pw-" + secrets.token_hex(8)
    admin.execute(
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(password)
        )
    )
    params = {k: str(v) for k, v in psycopg.conninfo.conninfo_to_dict(dsn).items()}
    yield {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "PGPORT": params.get("port", "5432"),
        "PGDATABASE": params["dbname"],
        "PGUSER": name,
        "PGPASSWORD": password,
        "PGOPTIONS": "-c default_transaction_read_only=on",
    }
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,)
    )
    admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def test_check_sql_script_parses_and_psql_runs_it(
    dsn: str,
    admin: psycopg.Connection,
    nobody: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: os.PathLike[str],
) -> None:
    admin.execute(schema())
    script = _run(["check", dsn, "--fail-on", "never", "--format", "sql"], capsys)
    fixes = _sql_fixes(dsn)
    assert len(fixes) >= 3  # duplicate-index, ivfflat-lists, unused-index …

    # PostgreSQL's parser reads exactly the fixes' statements, nothing from the comments; no
    # index is dropped twice (one plan per object: a DROP another fix already makes is
    # commented out by the reconciliation, or written once as "(already above)")
    expected = sorted({s for fix in fixes for s in _statements(fix)})
    assert sorted(_statements(script)) == expected
    drops = [s for s in _statements(script) if s.startswith("DROP INDEX")]
    assert len(drops) == len(set(drops))
    # every line is a comment, blank, or a line of some fix
    fix_lines = {line.rstrip() for fix in fixes for line in fix.splitlines()}
    for line in script.splitlines():
        assert line == line.rstrip()
        assert not line or line.startswith("--") or line in fix_lines, line

    path = os.path.join(tmp_path, "fixes.sql")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(script)
    proc = subprocess.run(
        [str(_bin_dir() / "psql"), "-X", "-v", "ON_ERROR_STOP=0", "-f", path],
        capture_output=True,
        text=True,
        env=nobody,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    errors = re.findall(r"ERROR:  (.*)", proc.stderr)
    assert errors, proc.stderr  # the role may change nothing
    for e in errors:
        assert "syntax" not in e and "unterminated" not in e, e
        assert re.search(r"read-only transaction|must be owner|permission denied|superuser", e), e
    tags = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(errors) + len(tags) == len(expected), (proc.stdout, proc.stderr)


def test_check_text_prints_fix_lines_whole_at_80_columns(
    dsn: str,
    admin: psycopg.Connection,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    admin.execute(schema())
    monkeypatch.setenv("COLUMNS", "80")
    text = _run(["check", dsn, "--fail-on", "never"], capsys)
    lines = [line.strip() for line in text.splitlines()]
    for fix in _sql_fixes(dsn):
        for code in _code_lines(fix):
            # the statement is one line of the output, alone (no label, no border)
            assert code.strip() in lines, (code, text)
    for line in text.splitlines():
        assert line == line.rstrip()


def _code_lines(fix: str) -> list[str]:
    """The fix's lines with their trailing ``--`` comment dropped (the report may move a long
    one above the statement)."""
    out = []
    for line in fix.splitlines():
        toks = pglast.parser.scan(line)
        comment = next((t.start for t in toks if t.name == "SQL_COMMENT"), None)
        code = line if comment is None else line[:comment]
        if code.strip():
            out.append(code.rstrip())
    return out


def test_residency_sql_script_parses(
    dsn: str, admin: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.execute(schema())
    admin.execute("DROP EXTENSION pg_buffercache")  # so the script offers CREATE EXTENSION
    script = _run(["residency", dsn, "--format", "sql"], capsys)
    stmts = _statements(script)
    assert "CREATE EXTENSION pg_buffercache" in stmts
    for line in script.splitlines():
        assert not line or line.startswith("--") or pglast.parse_sql(line), line


def test_check_sql_script_with_a_line_break_in_a_name(
    dsn: str, admin: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.execute(schema("dup\nb; --"))
    script = _run(["check", dsn, "--fail-on", "never", "--format", "sql"], capsys)
    expected = sorted({s for fix in _sql_fixes(dsn) for s in _statements(fix)})
    assert sorted(_statements(script)) == expected
