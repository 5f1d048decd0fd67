"""``pgvtui check`` end to end: modes, formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pgvtui.cli import main
from tests.db.rules.conftest import VectorDB, vector_literal

Q = vector_literal()
PLANS = Path(__file__).parent.parent.parent / "data" / "plans-pg18.json"
RECORDED = {e["name"].split(" ", 1)[0]: e for e in json.loads(PLANS.read_text())}
GOLDEN = "SELECT id FROM items ORDER BY hemb <=> $1::halfvec(64) LIMIT 10"
DESC = f"SELECT id FROM items ORDER BY emb <-> '{Q}' DESC LIMIT 10"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(autouse=True)
def _no_libpq_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def test_golden_path_json_exit_0(items_db: VectorDB, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        items_db.dsn,
        "--sql",
        GOLDEN,
        "--vector-from",
        "public.items.hemb:7",
        "--set",
        "hnsw.ef_search=100",
        "--format",
        "json",
        "--fail-on",
        "warning",
    )
    doc = json.loads(out)
    assert code == 0, doc["findings"]
    assert set(doc) == {"query", "settings", "execution_ms", "rows", "plan", "findings", "coverage"}
    assert doc["query"] == GOLDEN and doc["settings"] == {"hnsw.ef_search": "100"}
    assert doc["rows"] == 10 and doc["execution_ms"] > 0
    assert doc["plan"][0]["Plan"]["Node Type"] == "Limit"


def test_warning_exit_code_depends_on_fail_on(
    items_db: VectorDB, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, items_db.dsn, "--sql", DESC, "--format", "json")
    doc = json.loads(out)
    assert code == 0  # default --fail-on error; order-by-desc is a warning
    rules = [f["rule"] for f in doc["findings"]]
    assert "order-by-desc" in rules and len(rules) == len(set(rules))
    f = next(f for f in doc["findings"] if f["rule"] == "order-by-desc")
    assert set(f) == {"rule", "severity", "message", "evidence", "fix", "object", "step", "notes"}
    code, _, _ = run(
        capsys, items_db.dsn, "--sql", DESC, "--format", "json", "--fail-on", "warning"
    )
    assert code == 1
    code, _, _ = run(capsys, items_db.dsn, "--sql", DESC, "--fail-on", "never")
    assert code == 0


def test_text_output_tree_and_fix(items_db: VectorDB, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, items_db.dsn, "--sql", DESC)
    assert code == 0
    assert "Plan" in out and "Seq Scan on items" in out and "◀ order-by-desc" in out
    assert "WARNING" in out and "order-by-desc" in out and "'[…]'" in out
    assert "1 warning" in out or "warnings" in out


def test_markdown_output(items_db: VectorDB, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, items_db.dsn, "--sql", DESC, "--format", "markdown")
    assert code == 0
    assert out.startswith("# pgvtui check")
    assert "## Plan" in out and "<-- order-by-desc" in out
    assert "#### `order-by-desc`" in out and "```sql" in out


def test_dimension_mismatch_is_a_finding(
    items_db: VectorDB, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT id FROM items ORDER BY emb <-> '[1,2,3]' LIMIT 10"
    code, out, err = run(capsys, items_db.dsn, "--sql", sql, "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    assert [f["rule"] for f in doc["findings"]] == ["dimension-mismatch"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sql", "select 1; drop table items"], "Query refused: exactly one statement"),
        (["--sql", "delete from items"], "Query refused"),
        (["--sql", "select 1 / 0"], "Query failed: division by zero"),
        (["--sql", "select 1", "--set", "role=postgres"], "Setting refused"),
        (["--sql", "select $2 from items", "--param", "1=x"], "no such placeholder"),
        (["--sql", "select id from items limit $1", "--sample"], "no value for $1 (the LIMIT)"),
        (["--sql", "select 1", "--vector-from", "items.emb"], "expected"),
    ],
)
def test_errors_exit_2(
    items_db: VectorDB, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, items_db.dsn, *args)
    assert code == 2 and out == ""
    assert message in err


def test_catalog_mode(items_db: VectorDB, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, items_db.dsn, "--format", "json", "--fail-on", "never")
    doc = json.loads(out)
    assert code == 0 and doc["query"] is None and doc["plan"] is None
    assert isinstance(doc["findings"], list)


def test_plan_file_offline_without_connection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = RECORDED["J4"]
    plan = tmp_path / "j4.json"
    plan.write_text(json.dumps(entry["plan"]))
    args = ["--plan-file", str(plan), "--sql", entry["sql"], "--format", "json"]
    code, out, err = run(capsys, *args, "--set", "hnsw.iterative_scan=relaxed_order")
    assert code == 0, err
    rules = [f["rule"] for f in json.loads(out)["findings"]]
    assert rules == ["relaxed-order-not-resorted"]
    code, _, _ = run(
        capsys, *args, "--set", "hnsw.iterative_scan=relaxed_order", "--fail-on", "warning"
    )
    assert code == 1
    # catalog-dependent rules stay silent without a connection; the plan alone still shows a
    # k-NN sort over a 20,000-row Seq Scan, and the coverage says what did not run
    c = tmp_path / "c.json"
    c.write_text(json.dumps(RECORDED["C"]["plan"]))
    code, out, _ = run(
        capsys, "--plan-file", str(c), "--sql", RECORDED["C"]["sql"], "--format", "json"
    )
    doc = json.loads(out)
    assert [f["rule"] for f in doc["findings"]] == ["knn-sort-without-index"]
    skipped = {s["rule"] for s in doc["rule_coverage"]["skipped"]}
    assert {"order-by-desc", "no-ann-index"} <= skipped
    assert "knn-sort-without-index" in doc["rule_coverage"]["ran"]


def test_plan_file_with_connection_uses_catalog(
    items_db: VectorDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = tmp_path / "c.json"
    c.write_text(json.dumps(RECORDED["C"]["plan"]))
    code, out, _ = run(
        capsys,
        items_db.dsn,
        "--plan-file",
        str(c),
        "--sql",
        RECORDED["C"]["sql"],
        "--format",
        "json",
    )
    assert code == 0  # a warning; default --fail-on error
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["order-by-desc"]


def test_own_json_round_trips_as_plan_file(
    items_db: VectorDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, items_db.dsn, "--sql", DESC, "--format", "json")
    assert code == 0
    saved = tmp_path / "saved.json"
    saved.write_text(out)
    code, out2, _ = run(
        capsys, items_db.dsn, "--plan-file", str(saved), "--format", "json", "--fail-on", "warning"
    )
    assert code == 1
    doc = json.loads(out2)
    assert doc["query"] == DESC
    assert "order-by-desc" in [f["rule"] for f in doc["findings"]]


def test_bad_plan_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = run(capsys, "--plan-file", str(bad))
    assert code == 2 and "Bad plan file" in err
    code, _, err = run(capsys, "--plan-file", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err


def test_query_from_file_with_comments(
    items_db: VectorDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "q.sql"
    f.write_text(f"-- the slow one\n{DESC};\n-- trailing note\n")
    code, out, err = run(capsys, items_db.dsn, "--file", str(f), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["query"] == DESC
    assert "order-by-desc" in [x["rule"] for x in doc["findings"]]
