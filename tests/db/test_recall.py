"""``pgvtui recall`` against a real server: exact ground truth vs SQL exact search for every
metric, recall behaviour across ef_search / probes / iterative scan, interruption, the CLI."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest
from psycopg import sql

from pgvtui.cli import main
from pgvtui.core.recall import exact_topk
from pgvtui.core.recall.sweep import (
    RecallProgress,
    RecallSpec,
    exact_ground_truth,
    run_recall,
)
from pgvtui.core.session import Session, connect
from pgvtui.errors import QueryRefused, UsageError
from tests.conftest import TestServer, create_database, drop_database

ROWS = 4000
DIMS = 24
K = 10

# index name → (column, operator, metric)
GT_CASES = {
    "items_l2": ("emb", "<->", "l2"),
    "items_ip": ("emb", "<#>", "ip"),
    "items_cos": ("emb", "<=>", "cosine"),
    "items_l1": ("emb", "<+>", "l1"),
    "items_h_l2": ("hemb", "<->", "l2"),
    "items_h_cos": ("hemb", "<=>", "cosine"),
    "items_ham": ("bits", "<~>", "hamming"),
    "items_jac": ("bits", "<%>", "jaccard"),
    "items_sv": ("sv", "<->", "l2"),
    # an expression index: the usual halfvec-over-vector pattern; truth is over the expression
    "items_x_h_cos": ("emb::halfvec(24)", "<=>", "cosine"),
}


def _key(col: str) -> sql.Composable:
    return sql.SQL("({})").format(sql.SQL(col)) if "::" in col else sql.Identifier(col)


def _vec(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.4f}" for x in v) + "]"


def _sparse(v: np.ndarray) -> str:
    items = ",".join(f"{i + 1}:{x:.4f}" for i, x in enumerate(v) if x != 0)
    return "{" + items + "}/" + str(len(v))


def _load(conn: psycopg.Connection[Any]) -> None:
    rng = np.random.default_rng(42)
    centers = rng.standard_normal((40, DIMS)) * 4
    emb = centers[rng.integers(0, 40, ROWS)] + rng.standard_normal((ROWS, DIMS))
    proj = rng.standard_normal((DIMS, 64))
    bits = (emb @ proj + rng.standard_normal((ROWS, 64)) * 2) > 0
    sv = np.where(np.abs(emb) > 2.0, emb, 0.0)
    conn.execute(
        f"CREATE TABLE items (id int PRIMARY KEY, cat int NOT NULL, emb vector({DIMS}), "
        f"hemb halfvec({DIMS}), bits bit(64), sv sparsevec({DIMS}))"
    )
    with conn.cursor().copy("COPY items (id, cat, emb, hemb, bits, sv) FROM STDIN") as cp:
        for i in range(ROWS):
            bitstr = "".join("1" if b else "0" for b in bits[i])
            cp.write_row((i, i % 10, _vec(emb[i]), _vec(emb[i]), bitstr, _sparse(sv[i])))
    conn.execute("UPDATE items SET emb = NULL, hemb = NULL WHERE id = 17")  # NULLs are skipped
    idx = {
        "items_l2": "emb vector_l2_ops",
        "items_ip": "emb vector_ip_ops",
        "items_cos": "emb vector_cosine_ops",
        "items_l1": "emb vector_l1_ops",
        "items_h_l2": "hemb halfvec_l2_ops",
        "items_h_cos": "hemb halfvec_cosine_ops",
        "items_ham": "bits bit_hamming_ops",
        "items_jac": "bits bit_jaccard_ops",
        "items_sv": "sv sparsevec_l2_ops",
    }
    for name, key in idx.items():
        conn.execute(f"CREATE INDEX {name} ON items USING hnsw ({key})")
    conn.execute(
        f"CREATE INDEX items_x_h_cos ON items USING hnsw "
        f"((emb::halfvec({DIMS})) halfvec_cosine_ops)"
    )
    # unclustered data for IVFFlat: one probe then misses neighbours in other lists
    conn.execute(f"CREATE TABLE ivf_items (id int PRIMARY KEY, emb vector({DIMS}))")
    flat = rng.standard_normal((ROWS, DIMS))
    with conn.cursor().copy("COPY ivf_items (id, emb) FROM STDIN") as cp:
        for i in range(ROWS):
            cp.write_row((i, _vec(flat[i])))
    conn.execute(
        "CREATE INDEX ivf_l2 ON ivf_items USING ivfflat (emb vector_l2_ops) WITH (lists = 20)"
    )
    conn.execute("CREATE TABLE nopk AS SELECT id AS uid, emb FROM items WHERE emb IS NOT NULL")
    conn.execute("CREATE INDEX nopk_l2 ON nopk USING hnsw (emb vector_l2_ops)")
    conn.execute("ANALYZE")


@pytest.fixture(scope="module")
def rdsn(pg_server: TestServer) -> Iterator[str]:
    """One database for the module (the index builds are the slow part)."""
    name = create_database(pg_server, "recall")
    dsn = pg_server.dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        _load(conn)
    yield dsn
    drop_database(pg_server, name)


@pytest.fixture
async def session(rdsn: str) -> AsyncIterator[Session]:
    s = await connect(rdsn)
    yield s
    await s.close()


def _exact_sql(
    conn: psycopg.Connection[Any], col: str, op: str, query_id: Any, k: int
) -> list[tuple[Any, float]]:
    q = sql.SQL(
        "SELECT id, {col} {op} (SELECT {col} FROM items WHERE id = %s) AS d FROM items "
        "WHERE {col} IS NOT NULL ORDER BY d, id LIMIT %s"
    ).format(col=_key(col), op=sql.SQL(op.replace("%", "%%")))
    with conn.transaction():
        conn.execute("SET LOCAL enable_indexscan = off")
        rows = conn.execute(q, (query_id, k)).fetchall()
    return [(r[0], float(r[1])) for r in rows]


def _distances_of(
    conn: psycopg.Connection[Any], col: str, op: str, query_id: Any, ids: list[Any]
) -> dict[Any, float]:
    q = sql.SQL(
        "SELECT id, {col} {op} (SELECT {col} FROM items WHERE id = %s) FROM items "
        "WHERE id = ANY(%s)"
    ).format(col=_key(col), op=sql.SQL(op.replace("%", "%%")))
    return {r[0]: float(r[1]) for r in conn.execute(q, (query_id, ids)).fetchall()}


@pytest.mark.parametrize("index", list(GT_CASES))
async def test_ground_truth_equals_sql_exact_search(
    index: str, session: Session, rdsn: str
) -> None:
    col, op, metric = GT_CASES[index]
    target, gt, qids = await exact_ground_truth(
        session, RecallSpec(index=index, k=K, queries=12, seed=5)
    )
    assert target.metric == metric
    assert len(qids) == 12
    assert gt.rows == (ROWS - 1 if col.startswith(("emb", "hemb")) else ROWS)
    with psycopg.connect(rdsn, autocommit=True) as conn:
        for qi, qid in enumerate(qids):
            exact = _exact_sql(conn, col, op, qid, K)
            # ties: compare the distance multisets, not the ids
            np.testing.assert_allclose(
                gt.distances[qi], [d for _i, d in exact], rtol=1e-4, atol=1e-5
            )
            # and every id we resolved from a ctid really is at the distance we computed
            real = _distances_of(conn, col, op, qid, list(gt.ids[qi]))
            np.testing.assert_allclose(
                [real[i] for i in gt.ids[qi]], gt.distances[qi], rtol=1e-4, atol=1e-5
            )
            if op in ("<->", "<+>", "<=>"):
                assert gt.distances[qi][0] == pytest.approx(0.0, abs=1e-5)
                assert qid in gt.ids[qi][: 1 + sum(d <= 1e-5 for d in gt.distances[qi])]


async def test_recall_is_exact_when_the_index_is_bypassed(session: Session) -> None:
    rep = await run_recall(
        session, RecallSpec(index="items_l2", ef_search=(1,), queries=20, bypass_index=True)
    )
    (r,) = rep.results
    assert r.recall_mean == 1.0 and r.recall_min == 1.0
    assert r.rows_mean == K
    assert r.index_used == 0.0


async def test_recall_rises_with_ef_search(session: Session) -> None:
    rep = await run_recall(
        session, RecallSpec(index="items_l2", ef_search=(1, 5, 20, 100), queries=50, seed=1)
    )
    recalls = [r.recall_mean for r in rep.results]
    assert [r.settings["hnsw.ef_search"] for r in rep.results] == [1, 5, 20, 100]
    assert all(r.index_used == 1.0 for r in rep.results)
    assert all(b >= a for a, b in itertools.pairwise(recalls)), recalls
    assert recalls[0] <= 0.1 + 1e-9  # ef_search 1 returns one row (a mean of 0.1s may round up)
    assert recalls[-1] > recalls[0] + 0.5
    assert rep.results[0].rows_mean == 1.0
    assert rep.complete and rep.recommendation is not None
    d = rep.to_json()
    assert d["metric"] == "l2" and len(d["query_ids"]) == 50
    assert {"recall_mean", "latency_ms_p99", "shared_hit", "rows_mean"} <= set(d["results"][0])


async def test_filtered_recall_shortfall_and_iterative_scan(session: Session) -> None:
    rep = await run_recall(
        session,
        RecallSpec(
            index="items_l2",
            where="cat = 3",
            ef_search=(20,),
            iterative=("off", "relaxed_order"),
            queries=30,
        ),
    )
    off, relaxed = rep.results
    assert off.settings["hnsw.iterative_scan"] == "off"
    assert off.index_used == 1.0 and relaxed.index_used == 1.0
    assert off.rows_mean < K  # the filter throws away most of the ef_search candidates
    assert relaxed.rows_mean == K
    assert relaxed.recall_mean > off.recall_mean
    assert rep.ground_truth_rows == ROWS // 10
    # '%' in a predicate is not a placeholder
    rep = await run_recall(
        session,
        RecallSpec(index="items_l2", where="cat::text LIKE '3%'", ef_search=(40,), queries=5),
    )
    assert rep.ground_truth_rows == ROWS // 10 and rep.results[0].queries == 5


async def test_ivfflat_probes(session: Session) -> None:
    rep = await run_recall(session, RecallSpec(index="ivf_l2", probes=(1, 20), queries=30))
    low, high = rep.results
    assert high.recall_mean == pytest.approx(1.0)  # every list probed: exact
    assert low.recall_mean < high.recall_mean
    with pytest.raises(UsageError):
        await run_recall(session, RecallSpec(index="ivf_l2", ef_search=(40,)))


async def test_query_vectors_from_files(session: Session, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    vecs = rng.standard_normal((5, DIMS)).astype(np.float32)
    np.save(tmp_path / "q.npy", vecs)
    (tmp_path / "q.jsonl").write_text("\n".join(json.dumps(v.tolist()) for v in vecs))
    for name in ("q.npy", "q.jsonl"):
        rep = await run_recall(
            session,
            RecallSpec(index="items_l2", ef_search=(200,), vectors_file=str(tmp_path / name)),
        )
        assert rep.query_source == "file" and rep.query_ids == (0, 1, 2, 3, 4)
        assert rep.results[0].queries == 5
    np.save(tmp_path / "bad.npy", vecs[:, :3])
    with pytest.raises(UsageError, match="dims"):
        await run_recall(
            session, RecallSpec(index="items_l2", vectors_file=str(tmp_path / "bad.npy"))
        )


async def test_row_identity(session: Session) -> None:
    with pytest.raises(UsageError, match="primary key"):
        await run_recall(session, RecallSpec(index="nopk_l2", queries=5))
    rep = await run_recall(
        session, RecallSpec(index="nopk_l2", id_column="uid", queries=5, ef_search=(100,))
    )
    assert rep.results[0].queries == 5
    assert any("unique" in w for w in rep.warnings)
    with pytest.raises(UsageError, match="no such column"):
        await run_recall(session, RecallSpec(index="nopk_l2", id_column="nope"))


async def test_where_is_validated(session: Session) -> None:
    for bad in ("pg_sleep(1) IS NULL", "true; SELECT 1", "true) OR (true", "cat = 1 --"):
        with pytest.raises(QueryRefused):
            await run_recall(session, RecallSpec(index="items_l2", where=bad))
    with pytest.raises(UsageError, match="not a valid condition"):
        await run_recall(session, RecallSpec(index="items_l2", where="no_such_column = 1"))
    with pytest.raises(UsageError, match="not a valid condition"):
        await run_recall(session, RecallSpec(index="items_l2", where="cat + 1"))


async def test_expression_index(session: Session) -> None:
    # ((emb::halfvec(24)) halfvec_cosine_ops): queries repeat the expression, so the plan uses
    # the index; recall is measured against exact search over the same expression.
    rep = await run_recall(
        session, RecallSpec(index="items_x_h_cos", ef_search=(1, 100), queries=30, seed=2)
    )
    low, high = rep.results
    assert rep.column == "public.items (emb::halfvec(24))"
    assert low.index_used == 1.0 and high.index_used == 1.0
    assert low.rows_mean == 1.0 and low.recall_mean <= 0.1 + 1e-9  # one row of k=10
    assert high.recall_mean > 0.9
    assert rep.ground_truth_rows == ROWS - 1


async def test_column_resolution(session: Session) -> None:
    with pytest.raises(UsageError, match="pick one with --index"):
        await run_recall(session, RecallSpec(column="public.items.emb"))
    rep = await run_recall(
        session, RecallSpec(column="public.ivf_items.emb", probes=(20,), queries=5)
    )
    assert rep.index == "public.ivf_l2"


def _backend_state(rdsn: str, pid: int) -> tuple[str | None, Any]:
    with psycopg.connect(rdsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT state, xact_start FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
    assert row is not None
    return row[0], row[1]


async def test_stop_during_ann_returns_partial_results(session: Session, rdsn: str) -> None:
    seen: list[RecallProgress] = []

    def stop() -> bool:
        ann = [p for p in seen if p.phase == "ann"]
        return bool(ann) and ann[-1].done >= 25

    rep = await run_recall(
        session,
        RecallSpec(index="items_l2", ef_search=(10, 40, 80), queries=20),
        progress=seen.append,
        should_stop=stop,
    )
    assert not rep.complete and rep.stopped_during == "ann"
    assert [r.queries for r in rep.results] == [20, 5]
    assert any("stopped after 5 of 20" in w for w in rep.warnings)
    assert _backend_state(rdsn, session.basics.backend_pid) == ("idle", None)
    assert await session.fetch_value(sql.SQL("SELECT 1")) == 1


async def test_stop_during_ground_truth(
    session: Session, rdsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exact_topk, "CHUNK_ELEMENTS", 256 * DIMS)  # many small chunks
    seen: list[RecallProgress] = []

    def stop() -> bool:
        return any(p.phase == "ground_truth" and p.done > 0 for p in seen)

    rep = await run_recall(
        session, RecallSpec(index="items_l2", queries=10), progress=seen.append, should_stop=stop
    )
    assert not rep.complete and rep.stopped_during == "ground_truth"
    assert rep.results == () and rep.recommendation is None
    assert _backend_state(rdsn, session.basics.backend_pid) == ("idle", None)
    assert await session.fetch_value(sql.SQL("SELECT 2")) == 2


async def test_task_cancellation_leaves_no_transaction(session: Session, rdsn: str) -> None:
    reached = asyncio.Event()

    def progress(p: RecallProgress) -> None:
        if p.phase == "ann" and p.done >= 10:
            reached.set()

    task = asyncio.create_task(
        run_recall(
            session, RecallSpec(index="items_l2", ef_search=(40, 400), queries=200), progress
        )
    )
    await asyncio.wait_for(reached.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _backend_state(rdsn, session.basics.backend_pid) == ("idle", None)
    assert await session.fetch_value(sql.SQL("SELECT 3")) == 3


def test_cli_json_and_text(rdsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["recall", rdsn, "--index", "items_h_cos", "--ef-search", "5,100", "--queries", "10",
         "--format", "json", "--target", "0.9"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out)
    assert doc["metric"] == "cosine" and doc["column"] == "public.items.hemb"
    assert [r["settings"]["hnsw.ef_search"] for r in doc["results"]] == [5, 100]
    assert doc["recommendation"]["met"] is True
    assert doc["recommendation"]["set_sql"].startswith("SET hnsw.ef_search = ")
    rc = main(["recall", rdsn, "--column", "public.ivf_items.emb", "--probes", "1,20",
               "--queries", "10"])  # fmt: skip
    text = capsys.readouterr().out
    assert rc == 0
    assert "Recall of public.ivf_l2" in text and "probes=20" in text
    assert "Recommendation" in text or "No safe setting" in text


def test_cli_refusals(rdsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["recall", rdsn, "--index", "items_l2", "--where", "pg_sleep(1) IS NULL"])
    assert rc == 2
    assert "Query refused" in capsys.readouterr().err
    rc = main(["recall", rdsn, "--index", "items_l2", "--iterative", "strict_order",
               "--probes", "3"])  # fmt: skip
    assert rc == 2
    assert "--probes is for IVFFlat" in capsys.readouterr().err
