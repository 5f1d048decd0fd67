"""The recommendation policy (core/recall/policy.py): target on the mean, a floor on the p10 of
per-query recall, p95 latency, never below the current/default setting unless allowed, and
the worst queries explained."""

from __future__ import annotations

from collections.abc import Sequence

from pgvtui.core.recall.policy import Baseline, explain_worst, recommend
from pgvtui.core.recall.sweep import SettingResult, summarise


def _r(
    ef: int, recalls: Sequence[float], p50: float, p95: float | None = None, method: str = "hnsw"
) -> SettingResult:
    n = len(recalls)
    lat = [p50] * n
    if p95 is not None:  # the slowest 10 % at p95
        for i in range(max(1, n // 10)):
            lat[i] = p95
    knob = {"hnsw.ef_search": ef} if method == "hnsw" else {"ivfflat.probes": ef}
    return summarise(
        {**knob, f"{method}.iterative_scan": "off"},
        list(recalls),
        [10] * n,
        lat,
        [1] * n,
        [0] * n,
        [True] * n,
        lat,
    )


def _uniform(value: float, n: int = 20) -> list[float]:
    return [value] * n


def test_never_below_pgvector_default_unless_allowed() -> None:
    # ef 10 meets the mean but 3 of 20 queries get 0 and it is below the default 40
    low = _r(10, [0.0] * 3 + [1.0] * 17, 0.1)
    assert low.recall_mean < 0.95
    low_ok = _r(10, _uniform(0.97), 0.1)
    mid = _r(40, _uniform(0.99), 0.3)
    rec = recommend([low_ok, mid], 0.95, 10)
    assert rec is not None and rec.met and rec.settings is not None
    assert rec.settings["hnsw.ef_search"] == 40
    assert rec.baseline is not None and rec.baseline["value"] == 40
    assert "--allow-lower" in rec.message
    rec = recommend([low_ok, mid], 0.95, 10, allow_lower=True)
    assert rec is not None and rec.settings is not None and rec.settings["hnsw.ef_search"] == 10


def test_never_below_the_servers_current_value() -> None:
    results = [_r(40, _uniform(0.99), 0.2), _r(80, _uniform(0.99), 0.3), _r(160, _uniform(1), 1)]
    rec = recommend(results, 0.95, 10, baseline=Baseline.of("hnsw", {"hnsw.ef_search": "100"}))
    assert rec is not None and rec.met and rec.settings is not None
    assert rec.settings["hnsw.ef_search"] == 160
    assert rec.baseline is not None and "current" in rec.baseline["source"]


def test_worst_queries_floor_rejects_a_high_mean() -> None:
    # mean 0.95 but 10 % of the queries find nothing: p10 = 0 < floor
    holes = _r(40, [0.0] * 2 + [1.0] * 18, 0.2)
    assert holes.recall_mean >= 0.9 and holes.recall_p10 == 0.0
    good = _r(80, [0.9] * 2 + [1.0] * 18, 0.3)
    rec = recommend([holes, good], 0.9, 10)
    assert rec is not None and rec.met and rec.settings is not None
    assert rec.settings["hnsw.ef_search"] == 80
    assert rec.recall_p10 is not None and rec.recall_p10 >= rec.floor
    # nothing meets the floor: no SET, and a hint about the graph
    rec = recommend([holes], 0.9, 10)
    assert rec is not None and not rec.met and rec.set_sql is None
    assert "floor" in rec.message and any("m / ef_construction" in h for h in rec.hints)


def test_p95_weighs_not_only_p50() -> None:
    spiky = _r(40, _uniform(0.99), 0.2, p95=5.0)  # lowest p50, p95 10x
    steady = _r(80, _uniform(0.99), 0.4, p95=0.5)
    rec = recommend([spiky, steady], 0.95, 10)
    assert rec is not None and rec.settings is not None and rec.settings["hnsw.ef_search"] == 80
    # p95 within tolerance: the smaller setting wins
    close = _r(40, _uniform(0.99), 0.2, p95=0.52)
    rec = recommend([close, steady], 0.95, 10)
    assert rec is not None and rec.settings is not None and rec.settings["hnsw.ef_search"] == 40


def test_no_measured_setting_at_or_above_the_baseline() -> None:
    rec = recommend([_r(10, _uniform(1.0), 0.1), _r(20, _uniform(1.0), 0.1)], 0.95, 10)
    assert rec is not None and not rec.met and rec.set_sql is None
    assert "at or above hnsw.ef_search = 40" in rec.message


def test_ivfflat_default_probes_is_one() -> None:
    results = [
        _r(1, _uniform(0.5), 0.1, method="ivfflat"),
        _r(4, _uniform(0.97), 0.2, method="ivfflat"),
    ]
    rec = recommend(results, 0.95, 10)
    assert rec is not None and rec.settings is not None and rec.settings["ivfflat.probes"] == 4
    assert rec.set_sql == "SET ivfflat.probes = 4;"


def test_explain_worst_names_outliers_and_unreachable_queries() -> None:
    n = 20
    ids = list(range(100, 100 + n))
    # queries 0 and 1: far outliers, 0 at every setting; query 2 recovers at ef 80
    low = [0.0, 0.0, 0.0] + [1.0] * (n - 3)
    high = [0.0, 0.0, 1.0] + [1.0] * (n - 3)
    results = [_r(40, low, 0.2), _r(80, high, 0.3)]
    dists = [[0.0, 10.0, 11.0], [0.0, 12.0, 13.0]] + [[0.0, 1.0, 1.1]] * (n - 2)
    worst = explain_worst(results, results[0].settings, ids, dists, "l2", "hnsw")
    assert worst is not None and worst.zero == 3
    assert [w.id for w in worst.queries] == [100, 101, 102]
    assert worst.queries[0].nn_ratio is not None and worst.queries[0].nn_ratio >= 10
    assert worst.queries[2].best_recall == 1.0 and "ef_search=80" in str(
        worst.queries[2].best_setting
    )
    text = worst.explanation
    assert "3 queries found none" in text and "far from every other vector" in text
    assert "2 stay at 0 at every tried setting" in text and "1 improve" in text
    # inner product: no distance comparison
    worst = explain_worst(results, results[0].settings, ids, dists, "ip", "hnsw")
    assert worst is not None and worst.queries[0].nn_distance is None
    assert "far from" not in worst.explanation
