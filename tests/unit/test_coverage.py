"""The Coverage model: counts, lines, JSON and the verdict that never says "no findings" when
something was skipped."""

from __future__ import annotations

from pgvtui.core.coverage import Coverage, CoverageEntry, verdict


def test_complete_coverage_says_no_findings() -> None:
    assert verdict(0, Coverage()) == "no findings"
    assert verdict(2, Coverage()) == "2 findings"


def test_gaps_are_counted_by_distinct_object() -> None:
    cov = Coverage(
        (
            CoverageEntry("tables", "no SELECT privilege", objects=("public.a", "public.b")),
            CoverageEntry("pg_stats", "rows hidden", objects=("public.a",)),
            CoverageEntry("statistics", "needs pg_monitor", count=3),
        )
    )
    assert not cov.complete
    assert cov.objects_not_checked == 2 + 3
    text = verdict(0, cov)
    assert "no findings" not in text.split(";")[0].replace("no findings in what could", "")
    assert text.startswith("no findings in what could be checked; 5 objects not checked")
    assert "3 coverage gaps" in text


def test_line_names_a_few_objects_and_counts_the_rest() -> None:
    e = CoverageEntry(
        "tables",
        "no SELECT privilege",
        objects=tuple(f"public.t{i}" for i in range(8)),
        affects=("toasted-vectors",),
    )
    line = e.line()
    assert "8 not checked" in line and "public.t4" in line and "public.t5" not in line
    assert "and 3 more" in line and line.endswith("affects toasted-vectors")
    assert e.to_json()["not_checked"] == 8 and len(e.to_json()["objects"]) == 8


def test_offline_input_gap_has_no_objects() -> None:
    cov = Coverage().with_entries(
        [CoverageEntry("rules", "no catalog given", kind="input", affects=("duplicate-index",))]
    )
    assert cov.objects_not_checked == 0
    assert verdict(0, cov).endswith("some checks skipped (1 coverage gap, see Coverage)")
    assert cov.to_json()["complete"] is False


def test_informational_entries_do_not_block_no_findings() -> None:
    cov = Coverage((CoverageEntry("pg_stat_statements", "not installed", skips_checks=False),))
    assert cov.complete and verdict(0, cov) == "no findings"
    assert cov.lines() == ["pg_stat_statements: not installed"]
