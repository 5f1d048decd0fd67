"""The HTML report in a real browser (headless Debian chromium): it renders — a non-blank
screenshot at desktop and phone widths, the key figures in the rendered DOM, no console errors
(a Content-Security-Policy violation or a script error would be one), and it prints to PDF."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pgvtui.cli import main
from pgvtui.core.units import human_bytes
from tests.browser.png import decode
from tests.conftest import TestServer
from tests.report_fleet import Fleet, fleet

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE_ERRORS = re.compile(r"Uncaught|ERROR:CONSOLE|Refused to|net::ERR_", re.IGNORECASE)


@pytest.fixture(scope="module")
def report(pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
    tuple[Path, dict[str, object], Fleet]
]:  # fmt: skip
    """An HTML report (with a baseline) over the test fleet, and its JSON twin."""
    out = tmp_path_factory.mktemp("report")
    with fleet(pg_server, rows=1000) as f:
        base = out / "base.json"
        assert main(["report", *f.targets(), "--connect-timeout", "2", "-o", str(base)]) == 1
        with psycopg.connect(f.server.dsn_for(f.demo_a), autocommit=True) as conn:
            conn.execute(
                "CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding "
                "vector_cosine_ops)"
            )
        common = [*f.targets(), "--connect-timeout", "2", "--baseline", str(base)]
        common += ["--recall-sample", "5", "--workload-top", "2"]
        assert main(["report", *common, "-o", str(out / "r.json")]) == 1
        assert main(["report", *common, "-o", str(out / "r.html")]) == 1
        yield out / "r.html", json.loads((out / "r.json").read_text()), f


def _run(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp,
    )


def _shot(chromium: str, tmp: Path, page: Path, name: str, size: str) -> bytes:
    png = tmp / name
    done = _run(chromium, tmp, f"--screenshot={png}", f"--window-size={size}", page.as_uri())
    assert png.exists(), done.stderr[-2000:]
    assert not CONSOLE_ERRORS.search(done.stderr), done.stderr[-2000:]
    return png.read_bytes()


def _ink(png: bytes, rows: int) -> tuple[float, int]:
    """(share of pixels that are not near-white, distinct colours) in the top ``rows``."""
    px = decode(png, rows)[:, :, :3].reshape(-1, 3)
    ink = float((px.min(axis=1) < 200).mean())
    return ink, len({tuple(p) for p in px[:: max(1, len(px) // 20000)].tolist()})


def test_renders_in_chromium(
    chromium: str, report: tuple[Path, dict[str, object], Fleet], tmp_path: Path
) -> None:
    page, _, _ = report
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    desktop = _shot(chromium, tmp_path, page, "desktop.png", "1200,1600")
    # headless chromium lays out at least 500 px wide, whatever the window: the narrowest
    phone = _shot(chromium, tmp_path, page, "phone.png", "500,1000")
    empty = _shot(chromium, tmp_path, blank, "blank.png", "1200,1600")
    ink, colours = _ink(desktop, 900)
    blank_ink, _ = _ink(empty, 900)
    assert blank_ink == 0.0  # the measure sees a blank page as blank…
    assert ink > 0.03 and colours > 8  # …and the report as text, bars and colour
    assert _ink(phone, 900)[0] > 0.03
    # (pictures kept for a human: tests look at pixels, people look at the page)
    (Path(page).parent / "desktop.png").write_bytes(desktop)
    (Path(page).parent / "phone.png").write_bytes(phone)


def test_key_figures_in_rendered_dom(
    chromium: str, report: tuple[Path, dict[str, object], Fleet], tmp_path: Path
) -> None:
    page, doc, _ = report
    done = _run(chromium, tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert not CONSOLE_ERRORS.search(done.stderr), done.stderr[-2000:]
    dom = done.stdout
    summary = doc["summary"]
    assert isinstance(summary, dict)
    assert f"{summary['checked']} / {summary['targets']}" in dom
    assert human_bytes(summary["total_ann_bytes"]) in dom
    for d in doc["databases"]:  # type: ignore[attr-defined]
        assert d["target"] in dom
        for i in d["indexes"]:
            assert human_bytes(i["size_bytes"]) in dom
    for x in doc["failures"]:  # type: ignore[attr-defined]
        assert x["target"] in dom
    assert "chunks_embedding_hnsw" in dom and "Changes since base.json" in dom
    # the top statements and their diagnosis (pgvtui's own recall checks are not among them,
    # so the two runs that wrote the JSON and the HTML list the same ones)
    assert dom.count("<h3>Top vector statements</h3>") == len(doc["databases"])  # type: ignore[arg-type]
    for d in doc["databases"]:  # type: ignore[attr-defined]
        for st in d["workload"]["statements"]:
            assert f"queryid {st['queryid']}" in dom
    assert "generic plan" in dom
    assert dom.count("<svg") >= 4 + len(doc["databases"])  # type: ignore[arg-type]
    assert "<script" not in dom.lower()  # the hostile table name stayed text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_prints_to_pdf(
    chromium: str, report: tuple[Path, dict[str, object], Fleet], tmp_path: Path
) -> None:
    page, _, _ = report
    pdf = tmp_path / "r.pdf"
    done = _run(chromium, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                page.as_uri())  # fmt: skip
    assert pdf.exists(), done.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 2
