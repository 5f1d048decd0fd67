"""Coverage: what a report could not see, and why — stated before any conclusion.

A report that found nothing is only an "all clear" when everything was looked at. Whatever was
skipped goes into a :class:`Coverage` as one :class:`CoverageEntry` per gap: what (``area``),
why (``reason``), which objects and how many, which checks it weakens, and how to close it.

Two kinds of gaps share this model:

- ``privilege`` / ``extension`` / ``error``: a live server hid something — tables without
  SELECT, statistics without pg_read_all_stats / pg_monitor, pg_stats rows, pg_buffercache or
  pg_stat_statements missing or not executable, a background look-up that failed;
- ``input``: an offline diagnosis lacked an input — e.g. a plan read without a catalog, so the
  catalog rules were skipped.

Renderers print :meth:`Coverage.lines` (text) or :meth:`Coverage.to_json`; :func:`verdict`
is the one sentence for "nothing found", which never reads "no findings" when checks were
skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("privilege", "extension", "input", "error")
MAX_NAMED = 5  # objects named in a text line; JSON carries them all


@dataclass(frozen=True)
class CoverageEntry:
    area: str  # what was not seen, e.g. "tables", "statistics", "pg_buffercache", "rules"
    reason: str  # why, one line: "no SELECT privilege", "pg_buffercache is not installed"
    kind: str = "privilege"  # one of KINDS
    objects: tuple[str, ...] = ()  # the objects not checked (qualified names), if known
    count: int | None = None  # how many objects were not checked (defaults to len(objects))
    affects: tuple[str, ...] = ()  # checks or report parts skipped or weakened (rule ids, …)
    fix: str | None = None  # how to close the gap (SQL or prose)
    # False for a gap no check of this report depends on (listed, but "no findings" stays true)
    skips_checks: bool = True

    @property
    def not_checked(self) -> int:
        return self.count if self.count is not None else len(self.objects)

    def line(self) -> str:
        """One line for text reports: what, how many, why, what it weakens."""
        n = self.not_checked
        text = self.area
        if n:
            named = ", ".join(self.objects[:MAX_NAMED])
            more = f" and {n - min(n, MAX_NAMED)} more" if n > MAX_NAMED else ""
            text += f" ({n} not checked{': ' + named + more if named else ''})"
        text += f": {self.reason}"
        if self.affects:
            text += f" — affects {', '.join(self.affects)}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "reason": self.reason,
            "kind": self.kind,
            "objects": list(self.objects),
            "not_checked": self.not_checked,
            "affects": list(self.affects),
            "fix": self.fix,
            "skips_checks": self.skips_checks,
        }


@dataclass(frozen=True)
class Coverage:
    entries: tuple[CoverageEntry, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """No gap that skipped or weakened a check (informational entries aside)."""
        return not any(e.skips_checks for e in self.entries)

    @property
    def objects_not_checked(self) -> int:
        """Distinct objects some gap left unchecked (entries without names count by number)."""
        named: set[str] = set()
        unnamed = 0
        for e in (e for e in self.entries if e.skips_checks):
            if e.objects:
                named.update(e.objects)
                unnamed += max(0, e.not_checked - len(e.objects))
            else:
                unnamed += e.not_checked
        return len(named) + unnamed

    def with_entries(self, entries: Iterable[CoverageEntry]) -> Coverage:
        return Coverage((*self.entries, *entries))

    def merged(self, other: Coverage | None) -> Coverage:
        return self if other is None else self.with_entries(other.entries)

    def lines(self) -> list[str]:
        return [e.line() for e in self.entries]

    def to_json(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "objects_not_checked": self.objects_not_checked,
            "entries": [e.to_json() for e in self.entries],
        }


def verdict(findings: int, coverage: Coverage) -> str:
    """The headline count, honest about gaps: "no findings" only when nothing was skipped."""
    if coverage.complete:
        return "no findings" if findings == 0 else f"{findings} finding{'s' * (findings != 1)}"
    head = "no findings" if findings == 0 else f"{findings} finding{'s' * (findings != 1)}"
    return f"{head} in what could be checked; {not_checked(coverage)}"


def not_checked(coverage: Coverage) -> str:
    """ "3 objects not checked (2 coverage gaps, see Coverage)"."""
    n = coverage.objects_not_checked
    gaps = sum(1 for e in coverage.entries if e.skips_checks)
    skipped = f"{n} object{'s' * (n != 1)} not checked" if n else "some checks skipped"
    return f"{skipped} ({gaps} coverage gap{'s' * (gaps != 1)}, see Coverage)"
