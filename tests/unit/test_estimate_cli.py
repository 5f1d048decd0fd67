"""``pgvtui estimate`` end to end through ``pgvtui.cli.main`` (no database)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pgvtui.cli import main


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    rc = main(["estimate", *argv, "--format", "json"])
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out)  # exactly one document: json.loads refuses trailing data
    assert isinstance(doc, dict)
    return doc


def test_hnsw_json_keys_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(
        capsys,
        "--method",
        "hnsw",
        "--type",
        "vector",
        "--dims",
        "384",
        "--rows",
        "100000",
        "--m",
        "16",
    )
    for key in (
        "index_bytes",
        "index_pages",
        "bytes_per_row",
        "build_memory_bytes",
        "fits_maintenance_work_mem",
        "spill_after_rows",
        "inputs",
        "what_if",
    ):
        assert key in doc
    assert doc["inputs"]["rows"] == 100000 and doc["inputs"]["dims"] == 384
    assert doc["index_bytes"] == doc["index_pages"] * 8192
    # 4 elements per page for vector(384) at m=16 (CSV: 5,001 pages for 20,000 rows)
    assert doc["bytes_per_row"] == pytest.approx(2048, rel=0.001)
    assert doc["spill_after_rows"] == 29817
    assert doc["fits_maintenance_work_mem"] is False
    assert doc["if_not_fits"].startswith("NOTICE: hnsw graph no longer fits")
    labels = [w["label"] for w in doc["what_if"]]
    assert labels == [
        "as halfvec",
        "binary-quantized bit(384) + re-rank",
        "m=8",
        "m=32",
        "2x rows",
        "10x rows",
    ]


def test_more_memory_fits(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, "--dims", "384", "--rows", "100k", "--maintenance-work-mem", "1GB")
    assert doc["fits_maintenance_work_mem"] is True
    assert doc["inputs"]["maintenance_work_mem_bytes"] == 1024**3
    assert doc["if_not_fits"] is None


def test_parallel_workers_switch_formula(capsys: pytest.CaptureFixture[str]) -> None:
    serial = _json(capsys, "--dims", "384", "--rows", "100k")
    par = _json(capsys, "--dims", "384", "--rows", "100k", "--parallel-workers", "2")
    assert par["inputs"]["parallel_workers"] == 2
    assert par["available_build_memory_bytes"] == 61 * 1024 * 1024
    assert par["spill_after_rows"] < serial["spill_after_rows"]


def test_ivfflat(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, "--method", "ivfflat", "--dims", "768", "--rows", "1M", "--lists", "1000")
    assert doc["spill_after_rows"] is None
    assert doc["fits_maintenance_work_mem"] is False
    assert "memory required is" in doc["if_not_fits"]
    assert doc["ivfflat"]["kmeans_samples"] == 50000
    assert not any(w["label"].startswith("m=") for w in doc["what_if"])


def test_sparsevec(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, "--type", "sparsevec", "--dims", "30000", "--nnz", "100", "--rows", "5000")
    assert doc["value_bytes"] == 816
    assert abs(doc["index_pages"] - 716) / 716 < 0.02


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["estimate", "--dims", "1536", "--rows", "20000", "--type", "halfvec"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "HNSW on halfvec(1536)" in out
    assert "What if" in out and "10x rows" in out
    assert "78.1 MB" in out  # 10,001 pages measured; 2 elements per page


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--dims", "2001", "--rows", "10"], "at most 2,000 dimensions"),
        (["--type", "halfvec", "--dims", "4001", "--rows", "10"], "at most 4,000"),
        (["--type", "bit", "--dims", "64001", "--rows", "10"], "at most 64,000"),
        (["--type", "sparsevec", "--dims", "100", "--rows", "10"], "needs --nnz"),
        (
            [
                "--type",
                "sparsevec",
                "--method",
                "ivfflat",
                "--dims",
                "100",
                "--nnz",
                "5",
                "--rows",
                "10",
            ],
            "only be indexed with HNSW",
        ),
        (
            ["--type", "sparsevec", "--dims", "100000", "--nnz", "1001", "--rows", "10"],
            "at most 1000 non-zeros",
        ),
        (["--dims", "3", "--rows", "10", "--nnz", "2"], "sparsevec only"),
        (["--dims", "3", "--rows", "10", "--m", "1"], "m must be between"),
        (["--dims", "3", "--rows", "10", "--m", "40"], "2 * m"),
        (["--dims", "3", "--rows", "10", "--maintenance-work-mem", "lots"], "not a size"),
        (["--dims", "3", "--rows", "10", "--maintenance-work-mem", "64kB"], "at least 1MB"),
        (["--dims", "3", "--rows", "10", "--parallel-workers", "-1"], "must not be negative"),
        (["--method", "ivfflat", "--dims", "3", "--rows", "10", "--lists", "0"], "lists must"),
    ],
)
def test_invalid_inputs_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    rc = main(["estimate", *argv, "--format", "json"])
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.out == ""
    assert needle in captured.err


def test_bad_count_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["estimate", "--dims", "3", "--rows", "many"])
    assert exc.value.code == 2
    assert "not a count" in capsys.readouterr().err
