"""Human-readable byte sizes and counts (one format for rule messages, the CLI and the UI), and
the duration syntax of ``--statement-timeout`` and the config file."""

from __future__ import annotations

import math


def human_bytes(n: int | float | None) -> str:
    if n is None:
        return "—"
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1024 or unit == "TB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if abs(value) < 100 else f"{value:.0f} {unit}"
        value /= 1024
    return f"{value:.0f} TB"  # pragma: no cover


def human_count(n: int | float | None) -> str:
    if n is None:
        return "—"
    v = float(n)
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(v) >= div:
            return f"{v / div:.1f}{unit}"
    return f"{int(v)}"


MAX_DURATION_MS = 2_147_483_647  # statement_timeout / lock_timeout are int milliseconds
_DURATION_UNITS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000}


def parse_duration_ms(text: str) -> int:
    """'30s', '2min', '1500ms', '1h', '250' (ms) → milliseconds. ``ValueError`` with a message
    fit to show the user when it is not a duration PostgreSQL accepts for a timeout."""
    t = text.strip().lower()
    for unit in ("ms", "min", "s", "h"):
        if t.endswith(unit):
            num = t[: -len(unit)].strip()
            break
    else:
        unit, num = "ms", t
    try:
        value = float(num)
    except ValueError:
        raise ValueError(f"not a duration: {text!r}") from None
    if not math.isfinite(value * _DURATION_UNITS[unit]):
        raise ValueError(f"not a duration: {text!r}")
    if value < 0:
        raise ValueError("a duration must not be negative")
    ms = int(value * _DURATION_UNITS[unit])
    if ms > MAX_DURATION_MS:
        raise ValueError(f"too long: {text!r} (PostgreSQL's limit is about 24 days)")
    return ms
