"""``pgvtui report`` without a server: targets and their labels, the baseline comparison on
two documents, the baseline file checks, and Markdown cells."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pgvtui.core.report.baseline import compare, load_baseline
from pgvtui.core.report.targets import make_targets, read_targets_file
from pgvtui.errors import UsageError
from pgvtui.render.report_markdown import cell


def test_target_labels_hold_no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"):
        monkeypatch.delenv(var, raising=False)
    ts = make_targets(
        [
            "postgresql://app:pw-secret@db1.example:6432/shop",
            "host=db2 dbname=crm password=pw-secret",
            "analytics",
            "service=prod",
            "host=db2 dbname=crm",
        ]
    )
    assert [t.label for t in ts] == [
        "db1.example:6432/shop",
        "db2:5432/crm",
        "local socket:5432/analytics",
        "service=prod",
        "db2:5432/crm#2",
    ]
    assert all("pw-secret" not in t.label + t.redacted for t in ts)
    assert "password=********" in ts[1].redacted
    assert "pw-secret" in ts[0].conninfo  # libpq still gets it


def test_labels_fill_in_from_libpq_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGHOST", "envhost")
    monkeypatch.setenv("PGPORT", "7777")
    monkeypatch.delenv("PGDATABASE", raising=False)
    monkeypatch.setenv("PGUSER", "alice")
    (t,) = make_targets(["sslmode=require"])
    assert t.label == "envhost:7777/alice"


def test_targets_file_comments(tmp_path: Path) -> None:
    f = tmp_path / "t.txt"
    f.write_text("# fleet\n\n  host=a dbname=x  \n# host=b\nhost=c password=has#hash\n")
    assert read_targets_file(str(f)) == ["host=a dbname=x", "host=c password=has#hash"]
    with pytest.raises(UsageError):
        read_targets_file(str(tmp_path / "missing.txt"))


def _doc() -> dict[str, Any]:
    idx = {"schema": "public", "name": "items_idx", "size_bytes": 1000, "rows": 10}
    return {
        "format_version": 1,
        "generated_at": "2026-11-01T00:00:00Z",
        "summary": {"total_ann_bytes": 1000},
        "databases": [
            {
                "target": "h:5432/a",
                "server": {"version": "17.2", "pgvector": "0.8.0", "role": "primary"},
                "settings": {"hnsw.ef_search": "40"},
                "indexes": [idx],
                "findings": [
                    {"rule": "unused-index", "object": "public.items_idx", "message": "m1",
                     "severity": "info"},
                ],
                "recall": [
                    {"index": "public.items_idx", "recall_mean": 0.95, "latency_ms_p50": 1.0,
                     "settings": {"hnsw.ef_search": 40}},
                ],
            }
        ],
    }  # fmt: skip


def test_compare_growth_findings_settings_recall() -> None:
    before = _doc()
    after = copy.deepcopy(before)
    db = after["databases"][0]
    db["indexes"][0].update(size_bytes=5000, rows=50)
    db["indexes"].append({"schema": "public", "name": "new_idx", "size_bytes": 300, "rows": 1})
    db["findings"][0]["message"] = "m1 with other numbers"  # same (rule, object): not new
    db["findings"].append(
        {"rule": "index-exceeds-memory", "object": "public.items_idx", "message": "m2",
         "severity": "warning"}
    )  # fmt: skip
    db["settings"]["hnsw.ef_search"] = "100"
    db["server"]["pgvector"] = "0.8.1"
    db["recall"][0]["recall_mean"] = 0.99
    after["databases"].append({"target": "h:5432/b", "indexes": [], "findings": []})
    b = compare(before, after)
    rows = {i["index"]: i for i in b["indexes"]}
    assert rows["public.items_idx"]["bytes_delta"] == 4000
    assert rows["public.items_idx"]["rows_delta"] == 40
    assert rows["public.new_idx"]["status"] == "new"
    assert [g["index"] for g in b["largest_growth"]] == ["public.items_idx", "public.new_idx"]
    assert [f["rule"] for f in b["findings_new"]] == ["index-exceeds-memory"]
    assert b["findings_resolved"] == []
    assert b["settings_changed"] == [
        {"database": "h:5432/a", "name": "hnsw.ef_search", "before": "40", "after": "100"}
    ]
    assert b["server_changed"][0]["name"] == "pgvector"
    assert b["recall_moved"][0]["recall_delta"] == pytest.approx(0.04)
    assert b["databases_added"] == ["h:5432/b"] and b["databases_missing"] == []
    # nothing changed: nothing reported
    same = compare(before, copy.deepcopy(before))
    assert not any(same[k] for k in ("indexes", "findings_new", "settings_changed", "recall_moved"))


def test_baseline_file_checks(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_doc()))
    assert load_baseline(str(good))["format_version"] == 1
    for text, words in (
        ("not json", "not JSON"),
        ('{"databases": []}', "no format_version"),
        ('{"format_version": 99, "databases": []}', "format_version 99"),
        ('{"format_version": 1}', "no databases"),
    ):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        with pytest.raises(UsageError, match=words):
            load_baseline(str(bad))


def test_markdown_cells_are_inert() -> None:
    assert cell("a|b\nc") == "a\\|b c"
    assert cell("<script>[x](y)</script>") == "\\<script\\>\\[x\\](y)\\</script\\>"
    assert cell(None) == "—"


def test_markdown_underscores_inside_words_stay_plain() -> None:
    assert cell("public.documents_embedding_l2") == "public.documents_embedding_l2"
    assert cell("_tmp_ x_") == "\\_tmp\\_ x\\_"


async def test_a_bug_on_one_target_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unexpected exception while checking one database becomes that target's failure
    (type only, never the text); the other targets are still checked."""
    from pgvtui.core.report import collect

    class FakeSession:
        async def close(self) -> None:
            pass

    async def fake_connect(*_a: Any, **_k: Any) -> FakeSession:
        return FakeSession()

    async def check_database(_s: Any, target: Any, _o: Any, _t: float) -> Any:
        if target.dbname == "bad":
            raise ZeroDivisionError("secret text from somewhere")
        return "checked"

    monkeypatch.delenv("PGVTUI_DEBUG", raising=False)
    monkeypatch.setattr(collect, "connect", fake_connect)
    monkeypatch.setattr(collect, "check_database", check_database)
    targets = make_targets(["dbname=bad host=x", "dbname=other host=y"])
    bad, good = await collect.collect_fleet(targets, collect.ReportOptions(jobs=2))
    assert isinstance(bad, collect.Failed)
    assert bad.error.startswith("Internal error: ZeroDivisionError")
    assert "secret" not in bad.error
    assert good == "checked"


def _statement(n: int, diagnosis: dict[str, Any]) -> dict[str, Any]:
    return {
        "queryid": str(-n),
        "query": f"SELECT id FROM docs ORDER BY embedding <=> $1 LIMIT $2 -- {n}",
        "calls": 10,
        "total_ms": 100.0 / n,
        "mean_ms": 10.0 / n,
        "max_ms": 20.0,
        "rows_per_call": 5.0,
        "shared_blks_read_per_call": 3.0,
        "searches": [{"schema": "public", "table": "docs", "column": "embedding"}],
        "functions": [],
        "diagnosis": diagnosis,
    }


def test_workload_section_says_what_was_and_was_not_diagnosed() -> None:
    """A diagnosed statement shows its findings, one the time limit did not reach says so, one
    that failed gives its error; a database without pg_stat_statements says how to enable it."""
    import html

    from pgvtui.render.report_html import workload_html
    from pgvtui.render.report_markdown import workload_lines

    finding = {"severity": "warning", "rule": "missing-limit", "message": "no <LIMIT>", "fix": ""}
    base = {"plan_kind": "generic plan", "function": None, "error": None, "skipped": False}
    w = {
        "requested": 3,
        "available": True,
        "reason": None,
        "hint": None,
        "matched": 7,
        "hidden": 0,
        "notes": ["2 statement(s) of other roles are hidden"],
        "statements": [
            _statement(1, {**base, "findings": [finding]}),
            _statement(2, {**base, "findings": [], "error": "relation docs does not exist"}),
            _statement(3, {**base, "findings": [], "skipped": True}),
        ],
    }
    md = "\n".join(workload_lines(w)).replace("\\", "")
    page = html.unescape(workload_html(w))
    for text in (md, page):
        assert "The 3 heaviest of 7 vector statement(s)" in text
        assert "queryid -1 — generic plan: 1 finding(s)" in text and "no <LIMIT>" in text
        assert "queryid -2 — generic plan: relation docs does not exist" in text
        assert "queryid -3 — not diagnosed: the per-target time limit was reached first" in text
        assert "public.docs.embedding" in text and "hidden" in text
    assert "<LIMIT>" not in workload_html(w)  # escaped
    off = {
        **w,
        "available": False,
        "reason": "pg_stat_statements is not loaded and not installed in this database",
        "hint": "add pg_stat_statements to shared_preload_libraries",
        "notes": [],
        "statements": [],
    }
    for text in ("\n".join(workload_lines(off)), html.unescape(workload_html(off))):
        assert "not loaded and not installed" in text and "shared_preload_libraries" in text
