"""``pgvtui report`` over a real fleet: two demo-like databases, one with hostile names, a
listener that never answers and a closed port. The JSON is checked field by field against what
the server says in its own catalog; a second run with ``--baseline`` after changes shows them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pgvtui.cli import main
from pgvtui.core.report import FORMAT_VERSION
from tests.conftest import TestServer
from tests.report_fleet import HOSTILE_INDEX, HOSTILE_TABLE, PASSWORD, Fleet, fleet


@pytest.fixture(scope="module")
def the_fleet(pg_server: TestServer) -> Iterator[Fleet]:
    with fleet(pg_server) as f:
        yield f


def _report(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(["report", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def _server_facts(dsn: str) -> dict[str, Any]:
    """What the server itself says, queried independently of pgvtui."""
    with psycopg.connect(dsn) as conn:
        conn.execute("SELECT NULL::vector")  # loads pgvector: its settings exist from here on
        facts = conn.execute(
            "SELECT current_setting('server_version_num')::int, pg_is_in_recovery(), "
            "(SELECT extversion FROM pg_extension WHERE extname = 'vector'), "
            "pg_size_bytes(current_setting('shared_buffers')), "
            "pg_size_bytes(current_setting('effective_cache_size')), "
            "current_setting('hnsw.ef_search'), current_setting('maintenance_work_mem')"
        ).fetchone()
        assert facts is not None
        idx = conn.execute(
            "SELECT n.nspname || '.' || c.relname, am.amname, pg_relation_size(c.oid), "
            "t.reltuples::bigint FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE am.amname IN ('hnsw', 'ivfflat')"
        ).fetchall()
    return {
        "version_num": facts[0],
        "in_recovery": facts[1],
        "pgvector": facts[2],
        "sb": facts[3],
        "ecs": facts[4],
        "ef_search": facts[5],
        "mwm": facts[6],
        "indexes": {r[0]: {"method": r[1], "size": r[2], "rows": r[3]} for r in idx},
    }


def _by_target(doc: dict[str, Any], dbname: str) -> dict[str, Any]:
    return next(d for d in doc["databases"] if d["dbname"] == dbname)


def test_fleet_report_json_field_by_field(
    the_fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json = tmp_path / "r1.json"
    rc, _, err = _report(
        [*the_fleet.targets(), "-o", str(out_json), "--jobs", "4", "--connect-timeout", "2",
         "--recall-sample", "8", "--workload-top", "3"],
        capsys,
    )  # fmt: skip
    assert rc == 1, err  # written, but two targets failed
    text = out_json.read_text()
    assert PASSWORD not in text and PASSWORD not in err
    doc = json.loads(text)
    assert doc["format_version"] == FORMAT_VERSION
    s = doc["summary"]
    assert (s["targets"], s["checked"], s["failed"]) == (5, 3, 2)

    total = 0
    not_fitting: set[tuple[str, str]] = set()
    for db in (the_fleet.demo_a, the_fleet.demo_b, the_fleet.hostile):
        facts = _server_facts(the_fleet.server.dsn_for(db))
        d = _by_target(doc, db)
        assert d["target"].endswith(f"/{db}")
        assert d["server"]["version_num"] == facts["version_num"]
        assert d["server"]["pgvector"] == facts["pgvector"]
        assert d["server"]["role"] == ("standby" if facts["in_recovery"] else "primary")
        assert d["settings"]["hnsw.ef_search"] == facts["ef_search"]
        assert d["settings"]["maintenance_work_mem"] == facts["mwm"]
        assert "statement_timeout" not in d["settings"]  # pgvtui's own pinned value
        assert d["memory"]["shared_buffers_bytes"] == facts["sb"]
        assert d["memory"]["effective_cache_size_bytes"] == facts["ecs"]
        got = {f"{i['schema']}.{i['name']}": i for i in d["indexes"]}
        assert set(got) == set(facts["indexes"])
        for name, want in facts["indexes"].items():
            assert got[name]["method"] == want["method"]
            assert got[name]["size_bytes"] == want["size"]
            assert got[name]["rows"] == want["rows"]
            assert got[name]["fits_shared_buffers"] == (want["size"] <= facts["sb"])
            if want["size"] > facts["sb"]:
                not_fitting.add((d["target"], name))
        ann = sum(i["size"] for i in facts["indexes"].values())
        assert d["ann_bytes"] == ann
        assert d["fits"]["shared_buffers"] == (ann <= facts["sb"])
        total += ann
        # the recall spot check: one entry per ANN index, at the server's ef_search / probes
        assert {r["index"] for r in d["recall"]} == set(facts["indexes"])
        for r in d["recall"]:
            if r["method"] == "hnsw":
                assert r["settings"]["hnsw.ef_search"] == int(facts["ef_search"])
            if r["error"] is None:
                assert r["queries"] == 8 and 0.0 <= r["recall_mean"] <= 1.0
                assert r["latency_ms_p50"] > 0
        assert d["workload"]["requested"] == 3
        w = d["workload"]
        if db == the_fleet.hostile:  # no pg_stat_statements here: said, the target still checked
            assert w["available"] is False and w["statements"] == []
            assert "pg_stat_statements" in w["reason"] and "CREATE EXTENSION" in w["hint"]
        elif db == the_fleet.demo_a:  # the demo installs it; only pgvtui's recall searched here
            assert w["available"] is True and w["statements"] == []
            assert w["reason"] == "no vector statement recorded in pg_stat_statements"
    _check_workload(_by_target(doc, the_fleet.demo_b)["workload"], the_fleet)
    assert s["total_ann_bytes"] == total
    assert all(d["statements"] > 4 for d in doc["databases"])  # the recall check's queries
    assert s["ann_indexes"] == sum(len(d["indexes"]) for d in doc["databases"])
    assert {(n["database"], n["index"]) for n in s["not_fitting"]} == not_fitting

    # the demo's known flaws are among the findings, with their fixes
    a = _by_target(doc, the_fleet.demo_a)
    rules = {f["rule"] for f in a["findings"]}
    assert {"duplicate-index", "ivfflat-lists"} <= rules
    dup = next(f for f in a["findings"] if f["rule"] == "duplicate-index")
    assert dup["fix"] and "DROP INDEX" in dup["fix"]
    assert s["worst_findings"] and s["worst_findings"][0]["severity"] in ("error", "warning")
    assert sum(s["findings"].values()) == sum(len(d["findings"]) for d in doc["databases"])

    # the dead targets, by their redacted conninfo, each with its one-line error
    fails = {f["dbname"]: f for f in doc["failures"]}
    assert fails["silent"]["target"] == f"127.0.0.1:{the_fleet.silent_port}/silent"
    assert "connect timeout" in fails["silent"]["error"]
    assert fails["closed"]["port"] == str(the_fleet.closed_port)
    assert "password=********" in fails["closed"]["conninfo"]
    assert "refused" in fails["closed"]["error"].lower()
    assert all("\n" not in f["error"] for f in doc["failures"])
    assert "FAILED" in err and f"/{the_fleet.demo_a}: checked" in err


def _check_workload(w: dict[str, Any], the_fleet: Fleet) -> None:
    """demo_b's top statements against its pg_stat_statements, read directly."""
    with psycopg.connect(the_fleet.server.dsn_for(the_fleet.demo_b)) as conn:
        pgss = {
            str(r[0]): (r[1], r[2])
            for r in conn.execute(
                "SELECT queryid, calls, query FROM pg_stat_statements s JOIN pg_database d"
                " ON d.oid = s.dbid WHERE d.datname = current_database()"
            )
        }
    assert w["available"] is True and w["reason"] is None
    got = w["statements"]
    assert 1 <= len(got) <= 3 and w["matched"] >= len(got)
    totals = [s["total_ms"] for s in got]
    assert totals == sorted(totals, reverse=True)
    for s in got:
        calls, text = pgss[s["queryid"]]
        assert s["query"] == text and s["calls"] >= 2 and s["calls"] <= calls
        d = s["diagnosis"]
        assert d["plan_kind"] == "generic plan" and not d["skipped"]
        assert all(isinstance(f["fix_is_sql"], bool) for f in d["findings"])
    # LangChain's table: an untyped vector column searched
    assert any(t["table"] == "langchain_pg_embedding" for s in got for t in s["searches"])


def test_baseline_shows_what_changed(
    the_fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    targets = [the_fleet.dsn(the_fleet.demo_a), the_fleet.dsn(the_fleet.demo_b)]
    before = tmp_path / "before.json"
    rc, _, err = _report([*targets, "--format", "json", "-o", str(before)], capsys)
    assert rc == 0, err
    # change things: more rows and a new index in A, a setting and a dropped index in B
    with psycopg.connect(the_fleet.server.dsn_for(the_fleet.demo_a), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO chunks (id, doc_id, content, embedding) SELECT id + 1000000, doc_id, "
            "content, embedding FROM chunks"
        )
        conn.execute("CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding "
                     "vector_cosine_ops)")  # fmt: skip
        conn.execute("ANALYZE chunks")
        new_size, new_rows = conn.execute(
            "SELECT pg_relation_size('chunks_embedding_hnsw'), reltuples::bigint FROM pg_class "
            "WHERE relname = 'chunks'"
        ).fetchone() or (0, 0)
    with psycopg.connect(the_fleet.server.dsn_for(the_fleet.demo_b), autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {the_fleet.demo_b} SET hnsw.ef_search = 77")
        conn.execute("DROP INDEX reviews_embedding_idx1")
    after = tmp_path / "after.json"
    rc, _, err = _report(
        [*targets, "--baseline", str(before), "-o", str(after)], capsys
    )  # fmt: skip
    assert rc == 0, err
    doc = json.loads(after.read_text())
    # set-up, inventory, memory settings, one pg_buffercache pass: whatever the catalog size
    assert [d["statements"] for d in doc["databases"]] == [4, 4]
    b = doc["baseline"]
    assert b["source"] == "before.json"
    assert b["generated_at"] == json.loads(before.read_text())["generated_at"]
    label_a = _by_target(doc, the_fleet.demo_a)["target"]
    label_b = _by_target(doc, the_fleet.demo_b)["target"]
    idx = {(i["database"], i["index"]): i for i in b["indexes"]}
    new = idx[(label_a, "public.chunks_embedding_hnsw")]
    assert new["status"] == "new" and new["bytes_before"] is None
    assert new["bytes_after"] == new_size and new["bytes_delta"] == new_size
    assert new["rows_after"] == new_rows
    gone = idx[(label_b, "public.reviews_embedding_idx1")]
    assert gone["status"] == "dropped" and gone["bytes_after"] is None and gone["bytes_delta"] < 0
    # the duplicate index is gone: its finding is resolved; the new index brings its own
    resolved = {(f["database"], f["rule"]) for f in b["findings_resolved"]}
    assert (label_b, "duplicate-index") in resolved
    assert any(
        f["database"] == label_a and "chunks_embedding_hnsw" in (f["object"] or "")
        for f in b["findings_new"]
    ), b["findings_new"]
    changed = {(c["database"], c["name"]): c for c in b["settings_changed"]}
    assert changed[(label_b, "hnsw.ef_search")]["before"] == "40"
    assert changed[(label_b, "hnsw.ef_search")]["after"] == "77"
    assert (label_a, "hnsw.ef_search") not in changed
    assert doc["summary"]["largest_growth"][0]["index"] == "public.chunks_embedding_hnsw"
    assert b["databases_added"] == [] and b["databases_missing"] == []
    # the same content in Markdown and HTML
    md = tmp_path / "after.md"
    html_out = tmp_path / "after.html"
    for path in (md, html_out):
        rc, _, err = _report([*targets, "--baseline", str(before), "-o", str(path)], capsys)
        assert rc == 0, err
    for text in (md.read_text().replace("\\", ""), html_out.read_text()):  # no md escapes
        assert "chunks_embedding_hnsw" in text and "hnsw.ef_search" in text and "77" in text
        assert "reviews_embedding_idx1" in text


def test_hostile_names_are_inert(
    the_fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    rc, _, err = _report([the_fleet.dsn(the_fleet.hostile), "-o", str(out)], capsys)
    assert rc == 0, err
    page = out.read_text()
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[/]idx &lt;/td&gt;" in page
    rc, md, _ = _report([the_fleet.dsn(the_fleet.hostile), "--format", "markdown"], capsys)
    assert rc == 0
    # outside fenced code blocks (literal in Markdown: the fix SQL keeps the real name)
    prose = "".join(md.split("```")[::2])
    assert "```sql" in md
    assert HOSTILE_TABLE not in prose and HOSTILE_INDEX not in prose
    assert r"\<script\>alert(1)\</script\>" in md


def test_exit_codes(the_fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dead = the_fleet.targets()[3:]
    rc, out, err = _report([*dead, "--connect-timeout", "1", "--format", "json"], capsys)
    assert rc == 2 and out == "" and "No report" in err
    # the per-target limit ends a target whose connection never completes
    rc, out, err = _report(
        [dead[0], the_fleet.dsn(the_fleet.hostile), "--connect-timeout", "30",
         "--target-timeout", "1", "--format", "json"],
        capsys,
    )  # fmt: skip
    assert rc == 1
    fail = json.loads(out)["failures"][0]
    assert fail["dbname"] == "silent" and "per-target limit (1 s)" in fail["error"]
    targets_file = tmp_path / "targets.txt"
    targets_file.write_text(f"# the fleet\n\n{the_fleet.dsn(the_fleet.hostile)}\n")
    rc, out, _ = _report(["--targets", str(targets_file), "--format", "json"], capsys)
    assert rc == 0 and json.loads(out)["summary"]["checked"] == 1
    rc, _, err = _report(["--format", "json"], capsys)
    assert rc == 2 and "no targets" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    rc, _, err = _report([the_fleet.dsn(the_fleet.hostile), "--baseline", str(bad)], capsys)
    assert rc == 2 and "not a pgvtui report" in err


def test_markdown_and_html_carry_the_json_content(
    the_fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import html

    from pgvtui.core.units import human_bytes, human_count
    from pgvtui.render.report_html import render_html
    from pgvtui.render.report_markdown import render_markdown

    rc, out, err = _report(
        [*the_fleet.targets(), "--format", "json", "--connect-timeout", "1",
         "--recall-sample", "4", "--workload-top", "2"],
        capsys,
    )  # fmt: skip
    assert rc == 1, err
    doc = json.loads(out)
    assert any(d["workload"]["statements"] for d in doc["databases"])
    # the recall checks of this module's earlier reports ran on demo_a: pgvtui's own, not listed
    assert _by_target(doc, the_fleet.demo_a)["workload"]["statements"] == []
    md = render_markdown(doc).replace("\\", "")  # Markdown escapes off
    page = html.unescape(render_html(doc))
    for text in (md, page):
        for d in doc["databases"]:
            assert d["target"] in text
            for k, v in d["settings"].items():
                assert k in text and str(v) in text
            for i in d["indexes"]:
                for fact in (f"{i['schema']}.{i['name']}", human_bytes(i["size_bytes"]),
                             human_count(i["rows"]), human_count(i["idx_scan"])):  # fmt: skip
                    assert fact in text, fact
            for f in d["findings"]:
                assert f["rule"] in text and f["message"] in text and f["evidence"] in text
            for r in d["recall"]:
                assert f"{r['recall_mean']:.3f}".rstrip("0") in text or r["error"] in text
            for s in d["workload"]["statements"]:
                assert f"queryid {s['queryid']}" in text and s["query"] in text
                for f in s["diagnosis"]["findings"]:
                    assert f["rule"] in text and f["message"] in text
            if not d["workload"]["available"]:
                assert d["workload"]["reason"] in text and d["workload"]["hint"] in text
        for x in doc["failures"]:
            assert x["target"] in text and x["error"] in text


def test_from_json_renders_the_saved_report(
    the_fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pgvtui.render.report_html import render_html

    saved = tmp_path / "saved.json"
    rc, _, err = _report([the_fleet.dsn(the_fleet.hostile), "-o", str(saved)], capsys)
    assert rc == 0, err
    page = tmp_path / "again.html"
    rc, _, err = _report(["--from-json", str(saved), "-o", str(page)], capsys)
    assert rc == 0, err
    assert page.read_text() == render_html(json.loads(saved.read_text()))
    rc, _, err = _report(["--from-json", str(saved), the_fleet.dsn(the_fleet.hostile)], capsys)
    assert rc == 2 and "no targets" in err


async def test_workload_diagnosis_stops_at_the_target_limit(the_fleet: Fleet) -> None:
    """With the per-target limit already used up, the statements are still listed and each says
    it was not diagnosed (none is run past the limit)."""
    import time

    from pgvtui.core.report.collect import ReportOptions, top_statements
    from pgvtui.core.session import SessionOptions, connect

    session = await connect(the_fleet.server.dsn_for(the_fleet.demo_b), SessionOptions())
    try:
        options = ReportOptions(workload_top=2, target_timeout_s=60.0)
        notes: list[str] = []
        w = await top_statements(session, options, time.monotonic() - 60.0, notes)
    finally:
        await session.close()
    assert w is not None and len(w.entries) == 2 and not notes
    assert all(w.diagnoses[e.queryid].skipped for e in w.entries)
