"""Findings indexed by the object names they mention, built once per set of findings.

The Inventory's ``!`` column and detail pane ask, for each of thousands of rows, which findings
name that column or index. Matching every finding's ``object`` text against every row is
rows × findings (10,000 × 5,000 on a big catalog); here each finding's ``object`` is split once
into the names it mentions, and a look-up is a dict access.

A name matches as :func:`pgvtui.ui.widgets.object_detail.findings_for` matches it: as a whole
word of the ``object`` text (delimited by the start or end, white space, ``,``, ``(``, ``)``
or ``"``), bare or behind one ``qualifier.``. A name that itself contains one of those
delimiters (a quoted identifier with a space) falls back to that scan.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from pgvtui.core.models import ColumnInfo, IndexInfo
from pgvtui.core.rules.base import Finding

_DELIMS = re.compile(r'[\s,()"]+')
_QUALIFIER = re.compile(r"[\w$]+\.")


def _add(by_name: dict[str, list[int]], name: str, pos: int) -> None:
    positions = by_name.setdefault(name, [])
    if not positions or positions[-1] != pos:
        positions.append(pos)


class FindingIndex:
    """``findings`` by the names their ``object`` mentions (each finding once per name)."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        self.lookups = 0  # how many look-ups were made (tests count them)
        self.builds = 0  # how many times the index was built (once)
        self._by_name: dict[str, list[int]] | None = None
        self._lock = threading.Lock()

    def _index(self) -> dict[str, list[int]]:
        """Built by the first look-up (in a table's build thread on a big catalog)."""
        with self._lock:
            if self._by_name is None:
                self._by_name = self._build()
            return self._by_name

    def _build(self) -> dict[str, list[int]]:
        self.builds += 1
        by_name: dict[str, list[int]] = {}
        for pos, f in enumerate(self.findings):
            for token in _DELIMS.split(f.object or ""):
                if not token:
                    continue
                _add(by_name, token, pos)
                qualifier = _QUALIFIER.match(token)
                if qualifier and qualifier.end() < len(token):
                    _add(by_name, token[qualifier.end() :], pos)
        return by_name

    def named(self, *names: str) -> list[Finding]:
        """Findings whose object names one of ``names``, in their original order."""
        self.lookups += 1
        by_name = self._index()
        hits: set[int] = set()
        for name in names:
            if not name:
                continue
            if _DELIMS.search(name):
                from pgvtui.ui.widgets.object_detail import findings_for

                hits.update(self.findings.index(f) for f in findings_for(self.findings, name))
            else:
                hits.update(by_name.get(name, ()))
        return [self.findings[i] for i in sorted(hits)]

    def of(self, item: ColumnInfo | IndexInfo | None) -> list[Finding]:
        """Findings about an index (by its name) or a column (by ``schema.table.column`` or its
        table), as :func:`~pgvtui.ui.widgets.object_detail.object_findings`."""
        if isinstance(item, IndexInfo):
            return self.named(item.qualified_name, item.name)
        if isinstance(item, ColumnInfo):
            return self.named(item.qualified_name, item.qualified_table)
        return []
