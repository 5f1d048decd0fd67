"""``--format markdown`` on inventory, residency, recall (and estimate, no database): GitHub
pipe tables whose rows keep their column count even when a name holds ``|``."""

from __future__ import annotations

import re

import psycopg
import pytest

from pgvtui.cli import main

SCHEMA = """
CREATE TABLE "docs|v2" (id int PRIMARY KEY, "emb_*x*" vector(3));
INSERT INTO "docs|v2" SELECT g, ARRAY[g % 11, g % 7, 1]::real[]::vector
    FROM generate_series(1, 400) g;
CREATE INDEX "idx|one" ON "docs|v2" USING hnsw ("emb_*x*" vector_l2_ops);
CREATE INDEX "<b>idx</b>" ON "docs|v2" USING hnsw ("emb_*x*" vector_cosine_ops);
ANALYZE "docs|v2";
"""

COMMANDS = {
    "inventory": ["inventory"],
    "residency": ["residency"],
    "recall": ["recall", "--index", "idx|one", "--queries", "5", "--ef-search", "40"],
}

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def tables(md: str) -> list[list[list[str]]]:
    """Every pipe table in ``md`` as rows of cells (split on unescaped pipes)."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            current.append([c.strip() for c in _UNESCAPED_PIPE.split(line)[1:-1]])
        elif current:
            found.append(current)
            current = []
    return found


def check_tables(md: str) -> list[list[list[str]]]:
    found = tables(md)
    assert found, md
    for t in found:
        header, rule, *rows = t
        assert all(re.fullmatch(r"-{3}:?", c) for c in rule), rule
        assert rows, t
        for row in rows:
            assert len(row) == len(header), (row, header)
    for line in md.splitlines():
        assert line == line.rstrip()
    return found


@pytest.mark.parametrize("command", list(COMMANDS))
def test_markdown_tables(
    command: str, dsn: str, admin: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.execute(SCHEMA)
    argv = COMMANDS[command]
    assert main([argv[0], dsn, *argv[1:], "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith(f"# pgvtui {command}")
    found = check_tables(md)
    cells = [c for t in found for row in t for c in row]
    if command in ("inventory", "residency"):
        assert any("idx\\|one" in c for c in cells), cells
        assert any("\\<b>idx\\</b>" in c for c in cells), cells  # no HTML slips through
    if command == "inventory":
        assert "public.docs\\|v2" in cells
    if command == "recall":
        assert md.startswith("# pgvtui recall: public.idx\\|one")
        assert found[0][0][:2] == ["settings", "recall"]


def test_estimate_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["estimate", "--method", "ivfflat", "--type", "vector", "--dims", "1536"]
    assert main([*argv, "--rows", "1000000", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    found = check_tables(md)
    assert ["index size", "7.6 GB", "1,000,101 pages of 8 kB"] in found[0]
    assert "```sql\nSET maintenance_work_mem = '128MB';" in md
