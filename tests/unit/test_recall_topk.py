"""The numpy side of recall: running top-k merge, distance kernels, binary COPY decoding,
per-query recall with ties, the recommendation and the settings grid."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from pgvtui.core.recall import exact_topk
from pgvtui.core.recall.exact_topk import (
    COPY_SIGNATURE,
    ExactTopK,
    Kernel,
    RowDecoder,
    StreamFormatError,
    copy_header_length,
    merge_topk,
    sort_topk,
    split_code,
)
from pgvtui.core.recall.policy import recommend, set_sql
from pgvtui.core.recall.sweep import (
    RecallSpec,
    SettingResult,
    metric_of,
    plan_numbers,
    query_recall,
    settings_grid,
    summarise,
)
from pgvtui.errors import UsageError

# -- merge -------------------------------------------------------------------------------


def _brute_topk(scores: np.ndarray, k: int) -> np.ndarray:
    return np.sort(scores, axis=1)[:, :k]


@pytest.mark.parametrize("chunk", [1, 3, 7, 50, 1000])
@pytest.mark.parametrize("k", [1, 5, 10])
def test_merge_topk_equals_a_full_sort(chunk: int, k: int) -> None:
    rng = np.random.default_rng(chunk * 31 + k)
    scores = rng.standard_normal((6, 237))
    codes = np.arange(237, dtype=np.int64) * 7
    best = np.full((6, k), np.inf)
    best_codes = np.full((6, k), -1, dtype=np.int64)
    for start in range(0, 237, chunk):
        best, best_codes = merge_topk(
            best, best_codes, scores[:, start : start + chunk], codes[start : start + chunk], k
        )
    s, c = sort_topk(best, best_codes)
    np.testing.assert_array_equal(s, _brute_topk(scores, k))
    # codes point at the rows that hold those scores
    for q in range(6):
        np.testing.assert_array_equal(scores[q, c[q] // 7], s[q])


def test_merge_topk_fewer_rows_than_k_keeps_empty_slots() -> None:
    best = np.full((2, 5), np.inf)
    codes = np.full((2, 5), -1, dtype=np.int64)
    best, codes = merge_topk(best, codes, np.array([[3.0, 1.0], [0.5, 2.0]]), np.array([10, 11]), 5)
    s, c = sort_topk(best, codes)
    assert s[0, :2].tolist() == [1.0, 3.0] and c[0, :2].tolist() == [11, 10]
    assert np.isinf(s[:, 2:]).all() and (c[:, 2:] == -1).all()


def test_merge_topk_ranks_nan_last() -> None:
    best = np.full((1, 2), np.inf)
    codes = np.full((1, 2), -1, dtype=np.int64)
    best, codes = merge_topk(
        best, codes, np.array([[np.nan, 2.0, 1.0]]), np.array([1, 2, 3], dtype=np.int64), 2
    )
    assert sorted(codes[0].tolist()) == [2, 3]


def test_merge_topk_empty_chunk_is_a_no_op() -> None:
    best = np.array([[1.0, 2.0]])
    codes = np.array([[4, 5]], dtype=np.int64)
    out = merge_topk(best, codes, np.zeros((1, 0)), np.zeros(0, dtype=np.int64), 2)
    assert out[0] is best and out[1] is codes


# -- kernels -----------------------------------------------------------------------------


def _reference(metric: str, q: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Distances by their definitions, float64, no tricks."""
    q64, x64 = q.astype(np.float64), x.astype(np.float64)
    qb, xb = q.astype(bool), x.astype(bool)
    out: np.ndarray
    if metric == "l2":
        out = np.sqrt(((q64[:, None, :] - x64[None, :, :]) ** 2).sum(-1))
    elif metric == "ip":
        out = -(q64 @ x64.T)
    elif metric == "cosine":
        norms = np.linalg.norm(q64, axis=1)[:, None] * np.linalg.norm(x64, axis=1)[None]
        out = 1 - (q64 @ x64.T) / norms
    elif metric == "l1":
        out = np.abs(q64[:, None, :] - x64[None, :, :]).sum(-1)
    elif metric == "hamming":
        out = (qb[:, None, :] != xb[None, :, :]).sum(-1).astype(np.float64)
    else:
        inter = (qb[:, None, :] & xb[None, :, :]).sum(-1)
        union = (qb[:, None, :] | xb[None, :, :]).sum(-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(inter == 0, 1.0, 1 - inter / union)
    return out


@pytest.mark.parametrize("metric", exact_topk.METRICS)
def test_kernel_distances_match_a_reference(metric: str) -> None:
    rng = np.random.default_rng(7)
    if metric in ("hamming", "jaccard"):
        q = (rng.random((4, 70)) < 0.3).astype(np.float32)
        x = (rng.random((90, 70)) < 0.3).astype(np.float32)
        x[0] = 0  # an empty bit string: jaccard 1 by pgvector's rule
    else:
        q = rng.standard_normal((4, 24)).astype(np.float32)
        x = rng.standard_normal((90, 24)).astype(np.float32)
    kernel = Kernel(metric, q)
    acc = ExactTopK(kernel, 90)
    acc.add(x[:40], np.arange(40, dtype=np.int64))
    acc.add(x[40:], np.arange(40, 90, dtype=np.int64))
    dist, codes = acc.result()
    ref = _reference(metric, q, x)
    np.testing.assert_allclose(dist, np.sort(ref, axis=1), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.take_along_axis(ref, codes, 1), dist, rtol=1e-4, atol=1e-4)


def test_unknown_metric_is_refused() -> None:
    with pytest.raises(ValueError):
        Kernel("dot", np.zeros((1, 2), np.float32))


# -- binary COPY -------------------------------------------------------------------------


def _header() -> bytes:
    return COPY_SIGNATURE + struct.pack(">ii", 0, 0)


def _row(oid: int, blk: int, off: int, value: bytes) -> bytes:
    return (
        struct.pack(">h", 3)
        + struct.pack(">iI", 4, oid)
        + struct.pack(">iIH", 6, blk, off)
        + struct.pack(">i", len(value))
        + value
    )


def _vector(v: list[float]) -> bytes:
    return struct.pack(">HH", len(v), 0) + struct.pack(f">{len(v)}f", *v)


def _halfvec(v: list[float]) -> bytes:
    return struct.pack(">HH", len(v), 0) + np.asarray(v, dtype=">f2").tobytes()


def _bit(bits: str) -> bytes:
    n = len(bits)
    padded = bits + "0" * (-n % 8)
    return struct.pack(">i", n) + int(padded, 2).to_bytes(len(padded) // 8, "big")


def _sparse(dim: int, items: dict[int, float]) -> bytes:
    idx = sorted(items)
    return (
        struct.pack(">iii", dim, len(idx), 0)
        + struct.pack(f">{len(idx)}i", *idx)
        + struct.pack(f">{len(idx)}f", *[items[i] for i in idx])
    )


def test_header_length_needs_the_whole_header() -> None:
    h = _header()
    assert copy_header_length(h[:10]) is None
    assert copy_header_length(h) == 19
    with pytest.raises(StreamFormatError):
        copy_header_length(b"X" * 19)


@pytest.mark.parametrize(
    ("vtype", "encode", "values", "dims"),
    [
        ("vector", _vector, [[1.0, -2.5, 3.0], [0.0, 0.5, 7.0]], 3),
        ("halfvec", _halfvec, [[1.0, -2.5, 3.0], [0.0, 0.5, 7.0]], 3),
    ],
)
def test_decode_fixed_rows(vtype: str, encode, values, dims: int) -> None:  # type: ignore[no-untyped-def]
    body = _row(16384, 0, 1, encode(values[0])) + _row(16385, 70000, 2, encode(values[1]))
    dec = RowDecoder(vtype, dims)
    chunk, used = dec.decode(body + b"\xff\xff")
    assert used == len(body)  # the trailer is left over
    np.testing.assert_array_equal(chunk.x, np.asarray(values, dtype=np.float32))
    assert split_code(int(chunk.codes[0]), dec.parts) == (16384, "(0,1)")
    assert split_code(int(chunk.codes[1]), dec.parts) == (16385, "(70000,2)")


def test_decode_fixed_keeps_a_partial_row_for_later() -> None:
    full = _row(1, 0, 1, _vector([1.0, 2.0])) + _row(1, 0, 2, _vector([3.0, 4.0]))
    dec = RowDecoder("vector", 2)
    chunk, used = dec.decode(full[:-3])
    assert chunk.x.shape == (1, 2) and used == len(full) // 2


def test_decode_bits_unpacks_to_0_1() -> None:
    dec = RowDecoder("bit", 10)
    chunk, _ = dec.decode(_row(1, 3, 4, _bit("1000000001")))
    assert chunk.x.tolist() == [[1, 0, 0, 0, 0, 0, 0, 0, 0, 1]]


def test_decode_refuses_a_wrong_layout() -> None:
    dec = RowDecoder("vector", 3)
    with pytest.raises(StreamFormatError):
        dec.decode(_row(1, 0, 1, _vector([1.0, 2.0, 3.0, 4.0]))[:30] + b"\x00" * 30)


def test_decode_sparse_rows_become_dense() -> None:
    dec = RowDecoder("sparsevec", 5)
    body = _row(1, 0, 1, _sparse(5, {0: 1.5, 4: -2.0})) + _row(1, 0, 2, _sparse(5, {}))
    chunk, used = dec.decode(body + b"\xff\xff")
    assert used == len(body)
    assert chunk.x.tolist() == [[1.5, 0, 0, 0, -2.0], [0, 0, 0, 0, 0]]


# -- recall, recommendation, grid --------------------------------------------------------


def test_query_recall_counts_ids_and_distance_ties() -> None:
    gt_ids, gt_d = [1, 2, 3, 4], [0.1, 0.2, 0.3, 0.3]
    assert query_recall([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.3], gt_ids, gt_d) == 1.0
    # id 9 ties with the 4th true distance: as good as id 4
    assert query_recall([1, 2, 3, 9], [0.1, 0.2, 0.3, 0.3], gt_ids, gt_d) == 1.0
    assert query_recall([1, 2, 3, 9], [0.1, 0.2, 0.3, 0.31], gt_ids, gt_d) == 0.75
    assert query_recall([1, 2], [0.1, 0.2], gt_ids, gt_d) == 0.5  # shortfall
    assert query_recall([], [], [], []) == 1.0


def _result(ef: int, recall: float, p50: float, rows: float = 10.0) -> SettingResult:
    return summarise(
        {"hnsw.ef_search": ef, "hnsw.iterative_scan": "off"},
        [recall, recall],
        [int(rows)] * 2,
        [p50, p50],
        [1, 1],
        [0, 0],
        [True, True],
        [p50, p50],
    )


def test_recommend_cheapest_meeting_target() -> None:
    rec = recommend(
        [_result(10, 0.8, 0.1), _result(40, 0.96, 0.3), _result(80, 0.99, 0.5)], 0.95, 10
    )
    assert (
        rec is not None
        and rec.met
        and rec.settings
        == {
            "hnsw.ef_search": 40,
            "hnsw.iterative_scan": "off",
        }
    )
    assert rec.set_sql == "SET hnsw.ef_search = 40;"


def test_recommend_ties_go_to_the_smaller_ef_search() -> None:
    rec = recommend([_result(80, 0.99, 0.3), _result(40, 0.97, 0.3)], 0.95, 10)
    assert rec is not None and rec.settings is not None and rec.settings["hnsw.ef_search"] == 40


def test_recommend_says_when_nothing_meets_the_target() -> None:
    rec = recommend([_result(10, 0.5, 0.1, rows=4), _result(40, 0.6, 0.2, rows=4)], 0.95, 10)
    assert rec is not None and not rec.met and rec.set_sql is None
    assert "no tried setting" in rec.message and "relaxed_order" in " ".join(rec.hints)
    assert recommend([], 0.95, 10) is None


def test_set_sql_includes_iterative_only_when_on() -> None:
    assert set_sql({"hnsw.ef_search": 40, "hnsw.iterative_scan": "relaxed_order"}) == (
        "SET hnsw.ef_search = 40; SET hnsw.iterative_scan = relaxed_order;"
    )


def test_settings_grid_validates() -> None:
    grid = settings_grid(
        "hnsw", RecallSpec(ef_search=(40, 10), iterative=("off", "relaxed_order")), None
    )
    assert [g["hnsw.ef_search"] for g in grid] == [10, 40, 10, 40]
    assert settings_grid("ivfflat", RecallSpec(), 4)[-1]["ivfflat.probes"] == 4
    for bad in (
        RecallSpec(ef_search=(0,)),
        RecallSpec(ef_search=(1001,)),
        RecallSpec(probes=(3,)),
        RecallSpec(iterative=("sideways",)),
    ):
        with pytest.raises(UsageError):
            settings_grid("hnsw", bad, None)
    with pytest.raises(UsageError):
        settings_grid("ivfflat", RecallSpec(iterative=("strict_order",)), 10)


def test_metric_from_opclass() -> None:
    assert metric_of("vector_l2_ops") == "l2"
    assert metric_of("halfvec_cosine_ops") == "cosine"
    assert metric_of("sparsevec_ip_ops") == "ip"
    assert metric_of("bit_jaccard_ops") == "jaccard"


def test_plan_numbers_reads_the_top_node() -> None:
    doc = [
        {
            "Plan": {
                "Node Type": "Limit",
                "Actual Rows": 4.0,
                "Shared Hit Blocks": 120,
                "Shared Read Blocks": 3,
                "Plans": [{"Node Type": "Index Scan", "Index Name": "i", "Actual Rows": 4.0}],
            },
            "Execution Time": 0.5,
        }
    ]
    assert plan_numbers(doc, "i") == (0.5, 4, 120, 3, True)
    assert plan_numbers(doc, "other")[4] is False


@pytest.mark.parametrize("metric", ["l2", "ip", "hamming"])
def test_running_topk_over_many_chunks_equals_a_full_sort(metric: str) -> None:
    rng = np.random.default_rng(11)
    if metric == "hamming":
        q = (rng.random((7, 40)) < 0.5).astype(np.float32)
        x = (rng.random((3000, 40)) < 0.5).astype(np.float32)
    else:
        q = rng.standard_normal((7, 16)).astype(np.float32)
        x = rng.standard_normal((3000, 16)).astype(np.float32)
    acc = ExactTopK(Kernel(metric, q), 5)
    for start in range(0, 3000, 128):  # later chunks take the filtered candidate path
        acc.add(x[start : start + 128], np.arange(start, min(start + 128, 3000), dtype=np.int64))
    dist, codes = acc.result()
    ref = _reference(metric, q, x)
    np.testing.assert_allclose(dist, np.sort(ref, axis=1)[:, :5], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.take_along_axis(ref, codes, 1), dist, rtol=1e-4, atol=1e-4)
    assert acc.rows == 3000


def test_set_statements_quote_names_and_skip_missing_iterative_guc() -> None:
    from pgvtui.core.recall.sweep import _set_statements

    settings: dict[str, int | str] = {"hnsw.ef_search": 40, "hnsw.iterative_scan": "off"}
    new = [s.as_string() for s in _set_statements(settings, RecallSpec())]
    assert new[:2] == [
        'SET LOCAL "hnsw"."ef_search" = 40',
        'SET LOCAL "hnsw"."iterative_scan" = \'off\'',
    ]
    assert "SET LOCAL \"enable_seqscan\" = 'off'" in new
    old = [s.as_string() for s in _set_statements(settings, RecallSpec(bypass_index=True), False)]
    assert old[0] == 'SET LOCAL "hnsw"."ef_search" = 40'
    assert not any("iterative" in s for s in old)
    assert "SET LOCAL \"enable_indexscan\" = 'off'" in old and not any("seqscan" in s for s in old)
