"""Inline SVG charts for the HTML report: no script, no external asset, styled by the page's CSS.

Every chart is one ``<svg role="img">`` with a ``<title>``, a ``viewBox`` and ``width="100%"``
so it scales to a phone and prints as it shows. Every label passes :func:`esc`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pgvtui.core.units import human_bytes

WIDTH = 440  # viewBox units; the page shows charts at most 620 px wide (CSS)
LABEL_H = 16
BAR_H = 14
ROW_GAP = 8
VALUE_W = 52  # room a value label such as '31.3 MB' takes
PALETTE = ("#3b6ea5", "#e0a030", "#5a9e6f", "#b5536b", "#7b68a6", "#4f9fa8", "#a0785a", "#888")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _svg(height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {math.ceil(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{esc(title)}</title>" + "".join(body) + "</svg>"
    )


@dataclass(frozen=True)
class Limit:
    name: str  # "shared_buffers", "effective_cache_size", "RAM"
    bytes: int
    css: str  # "sb" | "ecs" | "ram"


@dataclass(frozen=True)
class FitRow:
    label: str
    bytes: int
    limits: tuple[Limit, ...]  # first one decides the bar's colour (ok / over)


def fit_bars(rows: Sequence[FitRow], title: str) -> str:
    """One bar per row (an index or a database's ANN total) with its memory limits as ticks.
    Green: fits the first limit (shared_buffers); amber: fits a later one; red: fits none."""
    if not rows:
        return ""
    # The scale is the bars and shared_buffers: effective_cache_size and RAM are often 100×
    # larger and would flatten every bar; when off the scale they are named in the row's label.
    biggest = max([r.bytes for r in rows] + [r.limits[0].bytes for r in rows if r.limits] + [1])
    scale = 1.15 * biggest
    row_h = LABEL_H + BAR_H + ROW_GAP
    body: list[str] = []
    shared = len({r.limits for r in rows}) == 1  # one set of limits: name them in the legend
    for n, r in enumerate(rows):
        y = 4 + n * row_h
        fits = [r.bytes <= lim.bytes for lim in r.limits]
        css = "ok" if fits and fits[0] else "warn" if any(fits) else "bad"
        w = max(1.0, (WIDTH - 8) * r.bytes / scale)
        off = [f"{lim.name} {human_bytes(lim.bytes)}" for lim in r.limits if lim.bytes > scale]
        body.append(f'<text class="lbl" x="4" y="{y + 12}">{esc(r.label)}</text>')
        if off and not shared:
            body.append(
                f'<text class="tick" text-anchor="end" x="{WIDTH - 4}" y="{y + 12}">'
                f"{esc(' · '.join(off))} →</text>"
            )
        body.append(
            f'<rect class="bar {css}" x="4" y="{y + LABEL_H}" width="{w:.1f}" height="{BAR_H}">'
            f"<title>{esc(r.label)}: {esc(human_bytes(r.bytes))}</title></rect>"
        )
        for lim in r.limits:
            if lim.bytes > scale:
                continue
            x = 4 + (WIDTH - 8) * lim.bytes / scale
            body.append(
                f'<line class="limit {lim.css}" x1="{x:.1f}" x2="{x:.1f}" y1="{y + LABEL_H - 3}" '
                f'y2="{y + LABEL_H + BAR_H + 3}"><title>{esc(lim.name)}: '
                f"{esc(human_bytes(lim.bytes))}</title></line>"
            )
        # the value after the bar, or inside its end when the bar reaches the right edge; a
        # halo (paint-order stroke, in the CSS) keeps it readable across a limit tick
        inside = w + 8 + VALUE_W > WIDTH
        tx, anchor = (w, "end") if inside else (w + 8, "start")
        body.append(
            f'<text class="val{" inside" if inside else ""}" text-anchor="{anchor}" '
            f'x="{tx:.1f}" y="{y + LABEL_H + 11}">{esc(human_bytes(r.bytes))}</text>'
        )
    y = 4 + len(rows) * row_h
    sizes = {lim.name: lim.bytes for lim in rows[0].limits} if shared else {}
    for css, name in (("sb", "shared_buffers"), ("ecs", "effective_cache_size"), ("ram", "RAM")):
        text = f"{name} {human_bytes(sizes[name])}" if name in sizes else name
        body.append(
            f'<line class="limit {css}" x1="6" x2="6" y1="{y}" y2="{y + 11}"></line>'
            f'<text class="legend" x="14" y="{y + 10}">{esc(text)}</text>'
        )
        y += 15
    return _svg(y + 2, title, body)


@dataclass(frozen=True)
class ShareItem:
    label: str
    bytes: int


def share_slices(items: Sequence[ShareItem], top: int = 7) -> list[tuple[ShareItem, float, str]]:
    """The largest ``top`` items (the rest as one "N others") as (item, percent, colour)."""
    items = sorted((i for i in items if i.bytes > 0), key=lambda i: -i.bytes)
    total = sum(i.bytes for i in items)
    if total <= 0:
        return []
    shown = list(items[:top])
    rest = sum(i.bytes for i in items[top:])
    if rest:
        shown.append(ShareItem(f"{len(items) - top} others", rest))
    return [(it, 100.0 * it.bytes / total, PALETTE[n % len(PALETTE)]) for n, it in enumerate(shown)]


def swatch(colour: str) -> str:
    return (
        '<svg class="swatch" viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="{esc(colour)}"></rect></svg>'
    )


def share_bar(slices: Sequence[tuple[ShareItem, float, str]], title: str) -> str:
    """A 100 % stacked bar of :func:`share_slices` (the key is HTML, next to it)."""
    if not slices:
        return ""
    body: list[str] = []
    x = 4.0
    for it, pct, colour in slices:
        w = (WIDTH - 8) * pct / 100.0
        body.append(
            f'<rect x="{x:.1f}" y="2" width="{max(w, 0.5):.1f}" height="20" fill="{esc(colour)}">'
            f"<title>{esc(it.label)}: {esc(human_bytes(it.bytes))} ({pct:.1f} %)</title></rect>"
        )
        x += w
    return _svg(24, title, body)


@dataclass(frozen=True)
class DeltaRow:
    label: str
    delta: int  # bytes, signed


def growth_bars(rows: Sequence[DeltaRow], title: str) -> str:
    """Growth (right, red) and shrinkage (left, green) around a centre line."""
    rows = [r for r in rows if r.delta != 0]
    if not rows:
        return ""
    scale = max(abs(r.delta) for r in rows) * 1.15
    mid = WIDTH / 2
    half = WIDTH / 2 - 8
    row_h = LABEL_H + BAR_H + ROW_GAP
    body: list[str] = []
    for n, r in enumerate(rows):
        y = 4 + n * row_h
        w = max(1.0, half * abs(r.delta) / scale)
        x = mid if r.delta > 0 else mid - w
        css = "bad" if r.delta > 0 else "ok"
        sign = "+" if r.delta > 0 else "−"
        value = sign + human_bytes(abs(r.delta))
        body.append(f'<text class="lbl" x="4" y="{y + 12}">{esc(r.label)}</text>')
        body.append(
            f'<rect class="bar {css}" x="{x:.1f}" y="{y + LABEL_H}" width="{w:.1f}" '
            f'height="{BAR_H}"><title>{esc(r.label)}: {esc(value)}</title></rect>'
        )
        tx = mid + w + 6 if r.delta > 0 else mid - w - 6
        anchor = "start" if r.delta > 0 else "end"
        body.append(
            f'<text class="val" text-anchor="{anchor}" x="{tx:.1f}" y="{y + LABEL_H + 11}">'
            f"{esc(value)}</text>"
        )
    h = 4 + len(rows) * row_h
    body.append(f'<line class="axis" x1="{mid}" x2="{mid}" y1="2" y2="{h}"></line>')
    return _svg(h + 4, title, body)


@dataclass(frozen=True)
class Point:
    label: str  # shown in the tooltip and the numbered key
    latency_ms: float
    recall: float


def recall_scatter(points: Sequence[Point], title: str) -> str:
    """Recall@k (y) against p50 latency (x, ms, log scale: latencies span decades), points
    numbered 1…n."""
    if not points:
        return ""
    left, right, top, bottom = 40.0, WIDTH - 12.0, 10.0, 170.0
    lats = [max(p.latency_ms, 1e-3) for p in points]
    lo = math.floor(math.log10(min(lats)) * 2) / 2
    hi = math.ceil(math.log10(max(lats)) * 2) / 2
    hi = hi if hi > lo else lo + 0.5
    ymin = min(0.5, math.floor(min(p.recall for p in points) * 10) / 10)
    body: list[str] = [
        f'<line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"></line>',
        f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{bottom}"></line>',
    ]

    def px(v: float) -> float:
        return left + (right - left) * (math.log10(max(v, 1e-3)) - lo) / (hi - lo)

    def py(v: float) -> float:
        return bottom - (bottom - top) * (v - ymin) / (1.0 - ymin or 1.0)

    for i in range(6):
        rv = ymin + (1.0 - ymin) * i / 5
        body.append(
            f'<text class="tick" text-anchor="end" x="{left - 4}" y="{py(rv) + 4:.1f}">'
            f"{rv:.2f}</text>"
            f'<line class="grid" x1="{left}" x2="{right}" y1="{py(rv):.1f}" y2="{py(rv):.1f}">'
            "</line>"
        )
    for i in range(5):
        lv = 10 ** (lo + (hi - lo) * i / 4)
        body.append(
            f'<text class="tick" text-anchor="middle" x="{px(lv):.1f}" y="{bottom + 14}">'
            f"{lv:.3g}</text>"
        )
    body.append(
        f'<text class="legend" text-anchor="middle" x="{(left + right) / 2}" '
        f'y="{bottom + 30}">p50 latency (ms, log scale) — up and to the left is better</text>'
    )
    for n, p in enumerate(points, start=1):
        x, y = px(p.latency_ms), py(p.recall)
        body.append(
            f'<circle class="pt" cx="{x:.1f}" cy="{y:.1f}" r="5"><title>{n}. {esc(p.label)}: '
            f"recall {p.recall:.3f}, p50 {p.latency_ms:.3f} ms</title></circle>"
            f'<text class="tick" x="{x + 7:.1f}" y="{y - 5:.1f}">{n}</text>'
        )
    return _svg(bottom + 36, title, body)
