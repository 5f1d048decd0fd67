"""``--format sql``: the fixes of ``check`` or ``residency`` as one script psql can run.

Every line that is not SQL is a ``--`` comment (what each fix is for, the finding it answers);
the SQL is the rules' fix text in full (long vector literals are not shortened). Nothing is run:
the script is for the operator to read, edit and run (``psql -X -f fixes.sql``). Statements
with ``CONCURRENTLY`` or ``ALTER SYSTEM`` cannot run inside a transaction block, so the script
has no ``BEGIN``; psql runs each statement on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from pgvtui.core.residency import ResidencyReport
from pgvtui.core.search import CheckReport
from pgvtui.render.check import by_severity, summary

HEADER = (
    "Review before running: psql -X -f this-file.sql (autocommit; no BEGIN, because "
    "CONCURRENTLY and ALTER SYSTEM refuse a transaction block)."
)


def comment(text: str) -> list[str]:
    """``text`` as ``-- `` lines: every line break (``\\n``, ``\\r`` and the rest) starts a new
    comment line, so nothing of it can end up outside a comment."""
    return [f"-- {line}".rstrip() for line in (text.splitlines() or [""])]


def _sql_block(sql: str) -> list[str]:
    return [line.rstrip() for line in sql.strip("\n").splitlines()]


class _Seen:
    """Statement lines already in the script: a second fix with the same line (two findings
    that both drop one index) gets it as a comment, so the script runs each once."""

    def __init__(self) -> None:
        self.lines: set[str] = set()

    def block(self, sql: str) -> list[str]:
        out = []
        for line in _sql_block(sql):
            key = line.strip()
            if key.endswith(";") and not key.startswith("--") and key in self.lines:
                out.append(f"-- (already above) {key}")
            else:
                self.lines.add(key)
                out.append(line)
        return out


def check_script(report: CheckReport) -> str:
    seen = _Seen()
    out = comment(f"pgvtui check: {summary(report.findings)}")
    fixes = [f for f in report.findings if f.fix and f.fix_is_sql]
    out += comment(
        f"{len(fixes)} SQL fix{'es' if len(fixes) != 1 else ''}. {HEADER}"
        if fixes
        else "No finding has an SQL fix."
    )
    without = []
    for _sev, group in by_severity(report.findings):
        for f in group:
            if not (f.fix and f.fix_is_sql):
                without.append(f)
                continue
            out.append("")
            head = f"{f.severity.value.upper()} {f.rule}" + (f": {f.object}" if f.object else "")
            out += comment(head)
            out += comment(f.message)
            out += seen.block(f.fix)
    if without:
        out.append("")
        out += comment("Findings without an SQL fix:")
        for f in without:
            line = f"  {f.severity.value} {f.rule}" + (f" ({f.object})" if f.object else "")
            out += comment(line + (f": {f.fix}" if f.fix else ""))
    return _finish(out)


def residency_script(report: ResidencyReport) -> str:
    items: list[tuple[str, str]] = []
    bc = report.buffercache
    if not bc.available and bc.create_sql:
        items.append((f"measured residency unavailable: {bc.reason}", bc.create_sql))
    items += [(s.text, s.sql) for s in report.suggestions if s.sql]
    out = comment(f"pgvtui residency: {len(items)} suggestion{'s' if len(items) != 1 else ''}")
    out += comment(HEADER if items else "Nothing to run.")
    for text, sql in items:
        out.append("")
        out += comment(text)
        out += _sql_block(sql)
    others = [s.text for s in report.suggestions if not s.sql]
    if others:
        out.append("")
        out += comment("Suggestions without SQL:")
        for text in others:
            out += comment(f"  {text}")
    return _finish(out)


def _finish(lines: Iterable[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).rstrip() + "\n"
