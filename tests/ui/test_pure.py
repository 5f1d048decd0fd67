"""Pure helpers of the UI: the golden-path query text, LIMIT rewriting, exports, bars."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pgvtui.core.models import ColumnInfo
from pgvtui.ui import query_template as qt
from pgvtui.ui.export import outcome_markdown, write_export
from pgvtui.ui.search_adapter import cell
from pgvtui.ui.widgets.fit_bars import bar
from pgvtui.ui.widgets.object_detail import findings_for
from tests.snapshots.recorded import CATALOG_FINDINGS, INVENTORY, SEARCH_SQL, search_outcome

COL = INVENTORY.columns[0]  # public.articles.embedding halfvec(384), HNSW cosine


def test_golden_sql_uses_the_index_operator_and_a_scalar_subquery() -> None:
    index = qt.best_index(INVENTORY, COL)
    assert index is not None and index.name == "articles_embedding_idx"
    text = qt.golden_sql(COL, index, "id", 10, "id", "42")
    assert text == SEARCH_SQL


def test_golden_sql_quotes_only_when_needed_and_literals_are_escaped() -> None:
    odd: ColumnInfo = replace(COL, schema="Sales", table="order", column="Emb")
    text = qt.golden_sql(odd, None, "select", 5, "id", "x'); DROP TABLE t; --")
    assert 'FROM "Sales"."order"' in text
    assert '"Emb" <-> (SELECT "Emb" FROM "Sales"."order" WHERE "select" = ' in text
    assert "'x''); DROP TABLE t; --'" in text  # a string literal, quotes doubled
    literal = qt.golden_sql(COL, None, None, 3, "literal", "0.1, 0.2")
    assert "'[0.1, 0.2]'::halfvec(384)" in literal
    no_key = qt.golden_sql(COL, None, None, 3, "id", "7")
    assert "WHERE embedding IS NOT NULL OFFSET 7 LIMIT 1" in no_key


def test_with_limit_replaces_only_a_final_limit() -> None:
    assert qt.with_limit("SELECT 1 LIMIT 10", 25) == "SELECT 1 LIMIT 25"
    assert qt.with_limit("SELECT 1 LIMIT 10 OFFSET 5;", 3) == "SELECT 1 LIMIT 3 OFFSET 5;"
    assert qt.with_limit("SELECT 1", 3) is None
    assert qt.with_limit("SELECT (SELECT 1 LIMIT 1) AS x FROM t", 3) is None


def test_limit_of_reads_only_a_final_limit() -> None:
    assert qt.limit_of("SELECT 1 LIMIT 100") == 100
    assert qt.limit_of("SELECT 1 LIMIT 10 OFFSET 5;") == 10
    assert qt.limit_of("SELECT (SELECT 1 LIMIT 1) AS x FROM t") is None


def test_exports_hold_sql_plan_and_findings(tmp_path: Path) -> None:
    outcome = search_outcome(SEARCH_SQL, {"hnsw.ef_search": "100"})
    md = outcome_markdown(outcome)
    assert "```sql" in md and "`hnsw.ef_search = 100`" in md
    assert "Sort" in md and "operator-mismatch" in md and "CREATE INDEX CONCURRENTLY" in md
    path = write_export(outcome, "json", tmp_path)
    doc = json.loads(path.read_text())
    assert doc["findings"][0]["rule"] == "operator-mismatch"
    assert doc["plan"][0]["Plan"]["Node Type"] == "Limit"
    assert write_export(outcome, "json", tmp_path).name == "pgvtui-search-2.json"


def test_findings_for_matches_whole_names_only() -> None:
    found = findings_for(CATALOG_FINDINGS, "public.documents_embedding_l2")
    assert [f.rule for f in found] == ["index-exceeds-memory", "unused-index"]
    assert findings_for(CATALOG_FINDINGS, "public.documents") == []
    assert [f.rule for f in findings_for(CATALOG_FINDINGS, "public.chunks.embedding")] == [
        "no-ann-index"
    ]


def test_cells_and_bars() -> None:
    assert cell(0.123456789) == "0.123457"
    assert cell(None) == "NULL"
    assert cell("x" * 100).endswith("…") and len(cell("x" * 100)) == 60
    assert bar(50, 100, 10).plain == "█████░░░░░"
    assert bar(300, 100, 10).plain == "██████████"
    assert bar(None, 100, 4).plain == "····"


def test_status_of_a_pasted_plan_without_timing_or_buffers() -> None:
    """EXPLAIN without ANALYZE/BUFFERS pasted (pgvector#268 as a Python list): the status says
    what the plan does not hold instead of '0.00 ms · hit 0 · read 0'."""
    from pgvtui.ui.screens.plan_paste import pasted_outcome
    from pgvtui.ui.widgets.run_status import status_text

    posted = Path(__file__).parent.parent / "data" / "public-plans" / "04-python-fetchall.txt"
    outcome, _ = pasted_outcome(posted.read_text(encoding="utf-8"), INVENTORY)
    text = status_text(outcome, None).plain
    assert "buffers not in the plan" in text and "hit 0" not in text, text
    # a plan with its timing keeps it
    assert "1542.97 ms" in text
