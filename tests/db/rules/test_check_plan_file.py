"""``pgvtui check --plan-file`` with text plans: psql text from the real server read like JSON,
stdin, several plans in one file (one report each), the coverage section offline, tables the
connected database does not have, unreadable input as one line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pgvtui.cli import main
from tests.db.rules.conftest import VectorDB, vector_literal

Q = vector_literal()
DESC = f"SELECT id FROM items ORDER BY emb <-> '{Q}' DESC LIMIT 10"
GOOD = f"SELECT id FROM items ORDER BY emb <-> '{Q}' LIMIT 10"
DATA = Path(__file__).parent.parent.parent / "data" / "public-plans"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(autouse=True)
def _no_libpq_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")


def _explain(db: VectorDB, sql: str, fmt: str) -> str:
    with db.admin() as conn:
        conn.execute("SET max_parallel_workers_per_gather = 0")
        conn.execute(sql)  # warm: cold reads would add cold-index-reads to the findings
        rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT {fmt}) {sql}").fetchall()
    if fmt == "JSON":
        return json.dumps(rows[0][0])
    return "\n".join(str(r[0]) for r in rows)


def test_text_plan_gives_the_json_plans_findings(
    items_db: VectorDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = {}
    for fmt in ("TEXT", "JSON"):
        f = tmp_path / f"plan.{fmt.lower()}"
        f.write_text(_explain(items_db, DESC, fmt))
        offline = json.loads(run(capsys, "--plan-file", str(f), "--format", "json")[1])
        online = json.loads(
            run(capsys, items_db.dsn, "--plan-file", str(f), "--sql", DESC, "--format", "json")[1]
        )
        results[fmt] = (
            [x["rule"] for x in offline["findings"]],
            [x["rule"] for x in online["findings"]],
            online["rule_coverage"],
        )
    assert results["TEXT"] == results["JSON"]
    offline_rules, online_rules, online_coverage = results["TEXT"]
    assert offline_rules == ["knn-sort-without-index"]
    assert online_rules == ["order-by-desc"] and online_coverage is None  # every rule ran


def test_stdin_and_coverage_in_every_format(
    items_db: VectorDB, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _explain(items_db, GOOD, "TEXT")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, out, err = run(capsys, "--plan-file", "-")
    assert code == 0, err
    assert "COVERAGE" in out and "need catalog" in out and "give a connection" in out
    assert "no findings from the" in out and "\nno findings\n" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, out, _ = run(capsys, "--plan-file", "-", "--format", "markdown")
    assert "## Coverage" in out and "knn-sort-without-index" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    doc = json.loads(run(capsys, "--plan-file", "-", "--format", "json")[1])
    assert set(doc) >= {"query", "plan", "findings", "coverage", "notes"}
    assert "no-ann-index" in {s["rule"] for s in doc["rule_coverage"]["skipped"]}
    assert "missing-limit" in doc["rule_coverage"]["ran"]
    # with the query text too, the query-only rule runs; the catalog ones still do not
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    doc = json.loads(run(capsys, "--plan-file", "-", "--sql", GOOD, "--format", "json")[1])
    assert "relaxed-order-not-resorted" in doc["rule_coverage"]["ran"]


def test_several_plans_one_report_each(
    items_db: VectorDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "two.txt"
    f.write_text(_explain(items_db, GOOD, "TEXT") + "\n\n" + _explain(items_db, DESC, "TEXT"))
    code, out, _ = run(capsys, "--plan-file", str(f), "--format", "json", "--fail-on", "warning")
    doc = json.loads(out)
    assert code == 1  # the worst of the two
    assert [p["number"] for p in doc["plans"]] == [1, 2]
    assert doc["plans"][0]["findings"] == []
    assert [x["rule"] for x in doc["plans"][1]["findings"]] == ["knn-sort-without-index"]
    _, out, _ = run(capsys, "--plan-file", str(f))
    assert "Plan 1 of 2" in out and "Plan 2 of 2" in out
    _, out, _ = run(capsys, "--plan-file", str(f), "--format", "markdown")
    assert "# pgvtui check — plan 2 of 2" in out


def test_tables_not_in_the_database(
    items_db: VectorDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "faces.txt"
    f.write_text((DATA / "02-seq-scan-elided.txt").read_text().split("\n", 1)[1])
    _, out, _ = run(capsys, items_db.dsn, "--plan-file", str(f), "--format", "json")
    doc = json.loads(out)
    assert any("not in this database" in n and "faces" in n for n in doc["notes"])
    assert doc["rule_coverage"]["ran"] and "query" in doc["rule_coverage"]["how"]


def test_real_plans_and_damage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "posted.txt"
    f.write_text((DATA / "01-hnsw-not-used-initplan.txt").read_text().split("\n", 1)[1])
    code, out, _ = run(capsys, "--plan-file", str(f), "--format", "json")
    doc = json.loads(out)
    assert any("line 1 skipped" in n for n in doc["notes"])
    assert any("cut short" in n for n in doc["notes"])
    # 203,929 rows sorted, where the planner expected 16 (a real misestimate)
    assert {f["rule"] for f in doc["findings"]} == {"knn-sort-without-index", "filter-misestimate"}
    bad = tmp_path / "bad.txt"
    bad.write_text("Here is my plan, it is slow\nplease help\n")
    code, _, err = run(capsys, "--plan-file", str(bad))
    assert code == 2 and "Bad plan file: line 1" in err and "JSON" not in err
    assert len(err.strip().splitlines()) == 1
