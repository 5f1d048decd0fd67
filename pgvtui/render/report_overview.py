"""The fleet overview: one row per database, as both report renderers show it (plain text;
each renderer escapes it for its format)."""

from __future__ import annotations

from typing import Any

from pgvtui.core.units import human_bytes


def _yn(b: bool | None) -> str:
    return "—" if b is None else "yes" if b else "NO"


DATABASE_HEAD = ["Database", "Role", "PostgreSQL", "pgvector", "ANN indexes", "ANN bytes",
                 "shared_buffers", "Fits SB", "Findings (e/w/i)", "Checked in"]  # fmt: skip


def database_row(d: dict[str, Any]) -> list[str]:
    sev = [f["severity"] for f in d["findings"]]
    mem, fits = d["memory"], d["fits"]
    return [
        d["target"],
        d["server"]["role"],
        d["server"]["version"],
        d["server"]["pgvector"] or "—",
        str(len(d["indexes"])),
        human_bytes(d["ann_bytes"]),
        human_bytes(mem["shared_buffers_bytes"]) if mem else "—",
        _yn(fits["shared_buffers"]) if fits else "—",
        f"{sev.count('error')}/{sev.count('warning')}/{sev.count('info')}",
        f"{d['seconds']:.1f} s",
    ]
