"""``pgvtui report``: one review over a fleet of databases (no Textual, no rendering here).

- :mod:`.targets` — what to check: connection strings from the command line and a targets
  file, each with a password-free label (host, port, database).
- :mod:`.collect` — checks the targets concurrently (async sessions, at most ``jobs`` at once,
  a connect timeout and a per-target limit each); one failing target never stops the others.
- :mod:`.document` — the JSON document (``FORMAT_VERSION``; documented in docs/report.md): one
  entry per database, the failures, and the fleet summary. Renderers read this document only.
- :mod:`.baseline` — what changed since an earlier document (``--baseline``).
"""

from __future__ import annotations

FORMAT_VERSION = 1
