"""Pure parts of the residency report: host detection, quoting of suggested SQL, fit and growth
arithmetic on a synthetic inventory, and the bar renderer."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from pgvtui.core import prewarm_plan, residency, sizing
from pgvtui.core.models import ColumnInfo, IndexInfo, Inventory, ServerInfo
from pgvtui.render.residency import bar

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("host", "local"),
    [
        (None, True),
        ("", True),
        ("/var/run/postgresql", True),
        ("localhost", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("db.example.com", False),
        ("10.0.0.5", False),
    ],
)
def test_is_local_host(host: str | None, local: bool) -> None:
    assert residency.is_local_host(host) is local


def test_prewarm_sql_quotes_identifiers() -> None:
    assert residency.prewarm_sql("public", "items_idx") == (
        "SELECT pg_prewarm('public.items_idx'::regclass);"
    )
    assert residency.prewarm_sql("Sales Data", 'Idx "Q" 1') == (
        """SELECT pg_prewarm('"Sales Data"."Idx ""Q"" 1"'::regclass);"""
    )
    assert residency.prewarm_sql("o'neil", "x") == """SELECT pg_prewarm('"o''neil".x'::regclass);"""


def _inv(rows: int, size: int, *, null_frac: float = 0.0) -> Inventory:
    server = ServerInfo("18.6", 180006, "PostgreSQL 18.6", "db", "u", True, False, "0.8.6", "0.8.6")
    col = ColumnInfo(
        "public", "items", "emb", "vector", 384, True, rows, null_frac, 1544, "external", 0, 0, 0
    )
    idx = IndexInfo(
        "public",
        "items",
        "items_idx",
        "hnsw",
        "vector_l2_ops",
        "<->",
        "",
        "emb",
        None,
        None,
        16,
        64,
        None,
        (),
        True,
        True,
        size,
        10,
        False,
        index_oid=42,
        key_type="vector",
        key_dims=384,
        table_rows_estimate=rows,
    )
    return Inventory(server, {}, (col,), (idx,))


def _mem(sb: int, ram: int) -> residency.MemoryInfo:
    return residency.MemoryInfo(sb, 4 * 1024 * MB, ram, "option")


def test_rows_fit_and_growth() -> None:
    est = sizing.estimate_size(sizing.IndexSpec("hnsw", "vector", 384, 20000)).bytes
    inv = _inv(20000, est)
    rows, specs, offset = residency.build_index_rows(
        inv, _mem(128 * MB, 1024 * MB), {42: {1: 100, 5: 50}}
    )
    r = rows[0]
    assert r.estimated_bytes == est and r.drift_pct == 0.0 and offset == 0
    assert r.resident_pages == 150 and r.usage_counts == {
        "0": 0,
        "1": 100,
        "2": 0,
        "3": 0,
        "4": 0,
        "5": 50,
    }
    assert r.fits_shared_buffers and r.fits_ram
    # 4 elements per page → ~2 kB per row: 128 MB holds ~65.5k rows
    assert r.rows_to_exceed_shared_buffers is not None
    assert 65000 < r.rows_to_exceed_shared_buffers < 66000
    assert specs[0].rows == 20000


def test_nulls_are_not_indexed_and_bloat_counts() -> None:
    est = sizing.estimate_size(sizing.IndexSpec("hnsw", "vector", 384, 10000)).bytes
    inv = _inv(20000, 2 * est, null_frac=0.5)  # measured twice the model: bloat
    rows, _specs, offset = residency.build_index_rows(inv, _mem(128 * MB, 1024 * MB), None)
    r = rows[0]
    assert r.rows == 10000 and r.estimated_bytes == est
    assert r.drift_pct == 100.0 and offset == est
    assert r.resident_pct is None and r.usage_counts is None
    # growth starts from the measured size, not the model's
    assert r.rows_to_exceed_shared_buffers is not None
    assert r.rows_to_exceed_shared_buffers < 65000


def test_already_too_big() -> None:
    inv = _inv(20000, 200 * MB)
    rows, _s, _o = residency.build_index_rows(inv, _mem(128 * MB, 1024 * MB), None)
    assert not rows[0].fits_shared_buffers and rows[0].rows_to_exceed_shared_buffers is None
    sugg = residency.suggestions(
        rows,
        residency.BuffercacheStatus(True, None),
        prewarm_installed=True,
        prewarm_available=True,
        preload="",
    )
    texts = [s.text for s in sugg]
    assert any("cannot be fully cached" in t for t in texts)
    assert not any(t.startswith("Prewarm") for t in texts)  # would evict itself
    assert any(s.sql == "ALTER SYSTEM SET shared_preload_libraries = 'pg_prewarm';" for s in sugg)


def test_bar() -> None:
    assert bar(50, 10) == "█████░░░░░  50 %"
    assert bar(None) == "—"
    assert bar(250, 4) == "████ 250 %"


def _status_row(**kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "buffercache_version": "1.6",
        "buffercache_available": "1.6",
        "buffercache_readable": True,
        "buffercache_creatable": True,
    }
    row.update(kw)
    return row


def test_buffercache_scan_needs_opt_in_from_32gb() -> None:
    big = residency.MemoryInfo(
        32 * 1024**3, 64 * 1024**3, 128 * 1024**3, "option", 8192, 4 * 1024 * 1024
    )
    skipped = residency._buffercache_status(_status_row(), big, None)
    assert not skipped.available and skipped.reason is not None
    assert skipped.needs_confirmation and "skipped" in skipped.reason
    assert skipped.scan_cost is not None and "4,194,304 buffer headers" in skipped.scan_cost
    assert residency._buffercache_status(_status_row(), big, True).available
    small = residency.MemoryInfo(31 * 1024**3, 64 * 1024**3, 128 * 1024**3, "option")
    assert residency._buffercache_status(_status_row(), small, None).available


def test_buffercache_status_reasons() -> None:
    mem = _mem(128 * MB, 1024 * MB)
    missing = residency._buffercache_status(_status_row(buffercache_version=None), mem, None)
    assert missing.create_sql == "CREATE EXTENSION pg_buffercache;"
    no_role = residency._buffercache_status(
        _status_row(buffercache_version=None, buffercache_creatable=False), mem, None
    )
    assert no_role.create_sql is None and no_role.reason and "ask a superuser" in no_role.reason
    absent = residency._buffercache_status(
        _status_row(buffercache_version=None, buffercache_available=None), mem, None
    )
    assert absent.reason and "not available on this server" in absent.reason
    unreadable = residency._buffercache_status(_status_row(buffercache_readable=False), mem, None)
    assert not unreadable.available and unreadable.reason and "pg_monitor" in unreadable.reason


def _ir(name: str, size: int, scans: int | None, resident: float | None = None) -> Any:
    rows, _s, _o = residency.build_index_rows(_inv(20000, size), _mem(32 * MB, 1024 * MB), None)
    return dataclasses.replace(rows[0], name=name, idx_scan=scans, resident_pct=resident)


def test_prewarm_plan_ranks_by_scans_per_byte_and_cuts_to_the_budget() -> None:
    mem = _mem(32 * MB, 1024 * MB)
    rows = [
        _ir("big_hot", 20 * MB, 1000),  # 50 scans per MB
        _ir("small_warm", 4 * MB, 400),  # 100 scans per MB: first
        _ir("mid", 10 * MB, 100),
        _ir("resident", 2 * MB, 5000, resident=95.0),
        _ir("unused", 1 * MB, 0),
    ]
    plan = prewarm_plan.prewarm_plan(rows, mem)
    assert plan.budget_bytes == 24 * MB
    assert [p.index for p in plan.chosen] == ["public.small_warm", "public.big_hot"]
    assert plan.total_bytes == 24 * MB == plan.budget_bytes  # 4 + 20 MB, in rank order
    left = {p.index: p.reason for p in plan.left_out}
    assert left["public.resident"].startswith("already 95 %")
    assert "does not fit" in left["public.mid"] and "does not fit" in left["public.unused"]
    assert plan.hot_bytes == 36 * MB and not plan.hot_fits  # every scanned index
    # nothing scanned anywhere: every index counts as hot
    cold = prewarm_plan.prewarm_plan([_ir("a", 20 * MB, 0), _ir("b", 10 * MB, 0)], mem)
    assert cold.hot_indexes == 2 and not cold.hot_fits
