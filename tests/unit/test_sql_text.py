"""SQL in text output is never wrapped (pgvtui/render/sql_text.py, sql_script.py)."""

from __future__ import annotations

import io

import pglast

from pgvtui.commands.output import make_console, strip_trailing_space
from pgvtui.render.sql_script import comment
from pgvtui.render.sql_text import print_sql, sql_lines

LONG = (
    "SET maintenance_work_mem = '34MB';  -- in the session that runs REINDEX INDEX "
    "CONCURRENTLY public.articles_embedding_idx / CREATE INDEX; make sure the host has that "
    "much free memory"
)


def _printed(sql: str, width: int, indent: int = 4) -> list[str]:
    buf = io.StringIO()
    print_sql(make_console(buf, width=width, color=False), sql, indent=indent)
    return strip_trailing_space(buf.getvalue()).splitlines()


def test_long_trailing_comment_moves_above_on_comment_lines() -> None:
    lines = _printed(LONG, 80)
    assert lines[-1] == "    SET maintenance_work_mem = '34MB';"
    assert all(line.startswith("    -- ") for line in lines[:-1])
    assert all(len(line) <= 80 for line in lines)
    # the same script: PostgreSQL reads the same statement
    assert len(pglast.parse_sql("\n".join(lines))) == 1


def test_code_is_never_wrapped_even_inside_a_literal() -> None:
    sql = "SELECT '" + "x -- not a comment " * 8 + "' AS long_literal;"
    assert _printed(sql, 40, indent=2) == ["  " + sql]


def test_comment_lines_stay_whole() -> None:
    sql = 'SET ivfflat.probes = 15;\n-- for every new session: ALTER DATABASE "d" SET ' + (
        "ivfflat.probes = 15;"
    )
    assert _printed(sql, 40, indent=0) == sql.splitlines()


def test_short_lines_unchanged_and_no_trailing_space() -> None:
    assert sql_lines("DROP INDEX x;   \n-- keeps y  \n", 80) == ["DROP INDEX x;", "-- keeps y"]


def test_unscannable_text_is_printed_as_is() -> None:
    assert sql_lines("SELECT 'open  -- x", 10) == ["SELECT 'open  -- x"]


def test_comment_keeps_every_line_commented() -> None:
    lines = comment("a\nb\rc\r\nd")
    assert lines == ["-- a", "-- b", "-- c", "-- d"]
    assert pglast.parse_sql("\n".join(lines) + "\nSELECT 1;")[0] is not None
