"""Object names that look like rich markup come out as they are in every text report: a table
called ``[/]`` used to end ``pgvtui inventory`` with an internal error (MarkupError)."""

from __future__ import annotations

import psycopg
import pytest

from pgvtui.cli import main

SCHEMA = """
CREATE TABLE "[/]" (id int PRIMARY KEY, "[b]e[/b]" vector(3));
INSERT INTO "[/]" SELECT g, ARRAY[g, g % 7, 1]::real[]::vector FROM generate_series(1, 300) g;
CREATE INDEX "idx[/]" ON "[/]" USING hnsw ("[b]e[/b]" vector_l2_ops);
CREATE INDEX "idx[/]2" ON "[/]" USING hnsw ("[b]e[/b]" vector_l2_ops);
ANALYZE "[/]";
"""

COMMANDS = {
    "inventory": ["inventory"],
    "check-catalog": ["check", "--fail-on", "never"],
    "check-query": [
        "check", "--fail-on", "never", "--sql",
        """SELECT id FROM "[/]" ORDER BY "[b]e[/b]" <=> '[1,2,3]' LIMIT 5""",
    ],
    "residency": ["residency"],
    "recall": ["recall", "--index", "idx[/]", "--queries", "5", "--ef-search", "40"],
}  # fmt: skip


@pytest.mark.parametrize("command", list(COMMANDS))
def test_bracketed_names_print_as_they_are(
    command: str, dsn: str, admin: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.execute(SCHEMA)
    argv = COMMANDS[command]
    rc = main([argv[0], dsn, *argv[1:]])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "Internal error" not in err
    assert "[/]" in out
