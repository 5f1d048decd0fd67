"""The report's tables, format-neutral: what each table of ``pgvtui report`` shows.

Each function turns part of the report document into a :class:`Table` — its heading, its
columns (numbers align right), its rows of plain cell values — and the Markdown and HTML
renderers only spell it in their markup. A cell is text, ``None`` (shown as ``—``), or one of
the few kinds a format spells its own way: a name as code, a flag, a coloured word, a link.
Sizes, counts and figures are formatted here, once, so both formats show the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pgvtui.core.units import human_bytes, human_count
from pgvtui.render import report_workload as rw


@dataclass(frozen=True, slots=True)
class Code:
    """A name shown as code: a rule, a setting."""

    text: str


@dataclass(frozen=True, slots=True)
class Flag:
    """Yes or no (an unknown is a ``None`` cell)."""

    value: bool


@dataclass(frozen=True, slots=True)
class Styled:
    """Text with a style tag (``sev warning``, ``no``): HTML colours it, Markdown shows it plain."""

    text: str
    style: str


@dataclass(frozen=True, slots=True)
class Link:
    """Text that links to a place in the same report (HTML only)."""

    text: str
    anchor: str


Cell = str | None | Code | Flag | Styled | Link


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    align: Literal["left", "right"] = "left"


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    style: str | None = None  # a tag for the whole row ("failed")


@dataclass(frozen=True, slots=True)
class Table:
    title: str | None  # the heading above it; None where the renderer places the table itself
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def _table(
    title: str | None,
    head: list[str],
    rows: list[list[Cell]],
    right: set[int] | frozenset[int] = frozenset(),
    row_style: str | None = None,
) -> Table:
    """A table whose columns numbered in ``right`` hold numbers."""
    columns = tuple(Column(h, "right" if n in right else "left") for n, h in enumerate(head))
    return Table(title, columns, tuple(Row(tuple(r), row_style) for r in rows))


def _with_rows(*tables: Table) -> list[Table]:
    """The tables that have rows (a report shows no empty table but the settings)."""
    return [t for t in tables if t.rows]


def _one(table: Table) -> Table | None:
    return table if table.rows else None


def flag(value: bool | None) -> Cell:
    return None if value is None else Flag(value)


def severity(level: str) -> Styled:
    return Styled(level, f"sev {level}")


def _signed(n: int | None, fmt: Callable[[int], str] = human_bytes) -> str | None:
    if n is None:
        return None
    return ("+" if n > 0 else "−" if n < 0 else "±") + fmt(abs(n))


def _pct(v: float | None) -> str | None:
    return None if v is None else f"{v:.0f} %"


def _num(v: float | None) -> str | None:
    return None if v is None else f"{v:.3f}"


def _settings_text(settings: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in settings.items())


# the fleet summary


DATABASE_HEAD = ["Database", "Role", "PostgreSQL", "pgvector", "ANN indexes", "ANN bytes",
                 "shared_buffers", "Fits SB", "Findings (e/w/i)", "Checked in"]  # fmt: skip


def databases(doc: dict[str, Any]) -> Table | None:
    """One row per database checked; its name links to its section (``#db<n>``)."""
    rows: list[list[Cell]] = []
    for n, d in enumerate(doc["databases"]):
        sev = [f["severity"] for f in d["findings"]]
        mem, fits = d["memory"], d["fits"]
        sb_fit: Cell = None
        if fits:
            sb_fit = "yes" if fits["shared_buffers"] else Styled("NO", "no")
        rows.append(
            [
                Link(d["target"], f"db{n}"),
                d["server"]["role"],
                d["server"]["version"],
                d["server"]["pgvector"] or None,
                str(len(d["indexes"])),
                human_bytes(d["ann_bytes"]),
                human_bytes(mem["shared_buffers_bytes"]) if mem else None,
                sb_fit,
                f"{sev.count('error')}/{sev.count('warning')}/{sev.count('info')}",
                f"{d['seconds']:.1f} s",
            ]
        )
    return _one(_table("Databases", DATABASE_HEAD, rows, {4, 5, 6, 9}))


def _findings(title: str, findings: list[dict[str, Any]]) -> Table:
    """Findings across databases (the summary's worst ones, the new and the resolved)."""
    return _table(
        title,
        ["Severity", "Rule", "Database", "Object", "Message"],
        [
            [severity(f["severity"]), Code(f["rule"]), f["database"], f.get("object") or None,
             f["message"]]
            for f in findings
        ],
    )  # fmt: skip


def fleet_tables(doc: dict[str, Any]) -> list[Table]:
    """The summary's tables after the databases (those with rows)."""
    s = doc["summary"]
    return _with_rows(
        _table(
            "Indexes larger than shared_buffers",
            ["Database", "Index", "Size", "shared_buffers", "Over by", "Fits RAM"],
            [
                [n["database"], n["index"], human_bytes(n["size_bytes"]),
                 human_bytes(n["shared_buffers_bytes"]), human_bytes(n["over_bytes"]),
                 flag(n["fits_ram"])]
                for n in s["not_fitting"]
            ],
            {2, 3, 4},
        ),
        _table(
            "Databases whose ANN indexes together exceed shared_buffers",
            ["Database", "ANN bytes", "shared_buffers", "Over by"],
            [
                [n["database"], human_bytes(n["ann_bytes"]),
                 human_bytes(n["shared_buffers_bytes"]), human_bytes(n["over_bytes"])]
                for n in s["databases_not_fitting"]
            ],
            {1, 2, 3},
        ),
        _findings("Worst findings", s["worst_findings"]),
        _table(
            "Largest growth since the baseline",
            ["Database", "Index", "Size now", "Growth", "Rows growth"],
            [
                [g["database"], g["index"], human_bytes(g["bytes_after"]),
                 _signed(g["bytes_delta"]), _signed(g["rows_delta"], human_count)]
                for g in s["largest_growth"] or []  # None: no baseline
            ],
            {2, 3, 4},
        ),
        _table(
            "Targets that could not be checked",
            ["Target", "Error", "After"],
            [[x["target"], x["error"], f"{x['seconds']:.1f} s"] for x in doc["failures"]],
            {2},
            row_style="failed",
        ),
    )  # fmt: skip


# what changed since the baseline


def index_growth(b: dict[str, Any]) -> Table | None:
    return _one(
        _table(
            "Index growth",
            ["Database", "Index", "Status", "Before", "After", "Growth", "Rows before",
             "Rows after", "Rows growth"],
            [
                [i["database"], i["index"], i["status"], human_bytes(i["bytes_before"]),
                 human_bytes(i["bytes_after"]), _signed(i["bytes_delta"]),
                 human_count(i["rows_before"]), human_count(i["rows_after"]),
                 _signed(i["rows_delta"], human_count)]
                for i in b["indexes"]
            ],
            {3, 4, 5, 6, 7, 8},
        )
    )  # fmt: skip


def baseline_tables(b: dict[str, Any]) -> list[Table]:
    """The findings, settings and recall that changed (those with rows); the index growth is
    :func:`index_growth`."""
    return _with_rows(
        _findings("New findings", b["findings_new"]),
        _findings("Resolved findings", b["findings_resolved"]),
        _table(
            "Settings and versions that changed",
            ["Database", "Name", "Before", "After"],
            [
                [c["database"], Code(c["name"]), c["before"], c["after"]]
                for c in b["settings_changed"] + b.get("server_changed", [])
            ],
        ),
        _table(
            "Recall that moved",
            ["Database", "Index", "Recall before", "Recall after", "Change", "p50 before",
             "p50 after"],
            [
                [r["database"], r["index"], _num(r["recall_before"]), _num(r["recall_after"]),
                 f"{r['recall_delta']:+.3f}", _num(r["latency_ms_p50_before"]),
                 _num(r["latency_ms_p50_after"])]
                for r in b["recall_moved"]
            ],
            {2, 3, 4, 5, 6},
        ),
    )  # fmt: skip


# one database


def indexes(d: dict[str, Any]) -> Table | None:
    return _one(
        _table(
            "ANN indexes",
            ["Index", "Table", "Method", "Key", "Options", "Size", "Rows", "Share", "Fits SB",
             "Fits RAM", "Resident", "Scans"],
            [
                [f"{i['schema']}.{i['name']}", i["table"], i["method"],
                 f"{i['key']} {i['key_type'] or '?'}({i['dims'] or '?'})",
                 _settings_text(i["options"]), human_bytes(i["size_bytes"]),
                 human_count(i["rows"]), _pct(i["share_pct"]),
                 flag(i["fits_shared_buffers"]), flag(i["fits_ram"]),
                 _pct(i["resident_pct"]), human_count(i["idx_scan"])]
                for i in d["indexes"]
            ],
            {5, 6, 7, 10, 11},
        )
    )  # fmt: skip


def recall(d: dict[str, Any]) -> Table | None:
    """The recall spot check (``None`` also where it was not asked for)."""
    return _one(
        _table(
            "Recall at the current settings",
            ["Index", "Settings", "Queries", "Recall mean", "Min", "p50 ms", "p95 ms", "Note"],
            [
                [r["index"], _settings_text(r["settings"]), str(r["queries"]),
                 _num(r["recall_mean"]), _num(r["recall_min"]), _num(r["latency_ms_p50"]),
                 _num(r["latency_ms_p95"]), r["error"] or ""]
                for r in d["recall"] or []
            ],
            {2, 3, 4, 5, 6},
        )
    )  # fmt: skip


def settings(d: dict[str, Any]) -> Table:
    return _table(
        "Settings",
        ["Setting", "Value"],
        [[Code(k), None if v is None else str(v)] for k, v in d["settings"].items()],
    )


def workload(w: dict[str, Any]) -> Table | None:
    """The top statements' table (its heading and notes are the renderer's)."""
    rows: list[list[Cell]] = [list(rw.row(n, s)) for n, s in enumerate(w["statements"], 1)]
    return _one(_table(None, rw.HEAD, rows, rw.NUMERIC))
