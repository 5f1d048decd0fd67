"""Overview: server and pgvector versions, the (redacted) connection, key settings, ANN index
bytes against memory, and the catalog findings by severity with the top ones and their fixes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from pgvtui.core.models import Inventory
from pgvtui.core.rules.base import Finding, Severity
from pgvtui.render.fmt import human_bytes
from pgvtui.ui.screens.base import PgvScreen
from pgvtui.ui.sizes import memory_limits
from pgvtui.ui.widgets.findings_list import SEVERITY_ICON, SEVERITY_STYLE, FindingsList
from pgvtui.ui.widgets.fit_bars import FitBars, FitRow
from pgvtui.ui.widgets.plain_table import PlainTable

KEY_SETTINGS = (
    "shared_buffers",
    "effective_cache_size",
    "maintenance_work_mem",
    "work_mem",
    "max_parallel_maintenance_workers",
    "random_page_cost",
    "hnsw.ef_search",
    "hnsw.iterative_scan",
    "hnsw.max_scan_tuples",
    "ivfflat.probes",
)
TOP_FINDINGS = 12


def server_table(inv: Inventory, display: str) -> Table:
    s = inv.server
    t = PlainTable.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    vec = s.pgvector_version or "not installed"
    if s.pgvector_available and s.pgvector_available != s.pgvector_version:
        vec += f" (server offers {s.pgvector_available})"
    # What an operator reads first comes first: on a short pane the connection (also in the
    # header) and the extension list are what wraps or scrolls away.
    t.add_row("PostgreSQL", s.version + ("  (standby)" if s.in_recovery else ""))
    t.add_row("pgvector", vec)
    t.add_row("user", s.user + ("  (superuser)" if s.is_superuser else ""))
    t.add_row(
        "objects",
        f"{len(inv.columns)} vector columns · {len(inv.indexes)} ANN indexes · "
        f"{human_bytes(inv.index_bytes)} of index",
    )
    exts = ", ".join(
        f"{name} {v.get('installed')}"
        for name, v in sorted(s.extensions.items())
        if v.get("installed") and name != "vector"
    )
    t.add_row("extensions", exts or "—")
    t.add_row("connection", display)
    return t


def settings_table(settings: dict[str, str | None], pairs: int = 1) -> Table:
    """The key settings, ``pairs`` name/value pairs per row (2 at 80 columns, where the pane
    stands below the server's and is as wide as the screen)."""
    t = PlainTable.grid(padding=(0, 2))
    for _ in range(pairs):
        t.add_column(style="bold", no_wrap=True)
        t.add_column(no_wrap=True)
    cells: list[str | Text] = []
    for name in KEY_SETTINGS:
        value = settings.get(name)
        cells += [name, value if value is not None else Text("—", style="dim")]
    width = 2 * pairs
    for i in range(0, len(cells), width):
        row = cells[i : i + width]
        t.add_row(*row, *([""] * (width - len(row))))
    return t


def severity_counts(findings: Iterable[Finding]) -> Text:
    counts = Counter(f.severity for f in findings)
    text = Text()
    for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        n = counts.get(sev, 0)
        text.append(
            f"{SEVERITY_ICON[sev]} {n} {sev.value}{'s' if n != 1 else ''}   ",
            SEVERITY_STYLE[sev] if n else "dim",
        )
    return text


class OverviewScreen(PgvScreen):
    """The first screen: is this server healthy for vector search?

    Bindings:
        r: reload the inventory and findings.
        c: copy the highlighted finding's fix (in the findings list).
    """

    SCREEN_TITLE = "Overview"
    DEFAULT_CSS = """
    #overview-coverage {
        height: auto; max-height: 4; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    OverviewScreen.-short #overview-coverage { max-height: 2; }
    """
    AUTO_FOCUS = "#overview-findings-list"
    BINDINGS = [Binding("r", "refresh", "Reload")]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="overview-top"):
            with Vertical(id="overview-server", classes="panel") as v:
                v.border_title = "Server"
                yield Static(Text("connecting…", style="dim"), id="server-info")
            with Vertical(id="overview-settings", classes="panel") as v:
                v.border_title = "Key settings"
                yield Static(id="settings-info")
        with Vertical(id="overview-memory", classes="panel") as v:
            v.border_title = "All ANN indexes vs memory"
            yield FitBars(id="memory-bars")
        with Vertical(id="overview-findings"):
            yield Static(id="finding-counts")
            yield Static(id="overview-coverage")
            findings = FindingsList("no catalog findings", id="overview-findings-list")
            findings.border_title = "Catalog findings (c copies the fix)"
            yield findings

    def on_mount(self) -> None:
        self.watch(self.app, "catalog_findings", self._show_findings)
        self.watch(self.app, "connection_state", self._show_state)

    def _show_state(self, state: str) -> None:
        """Before the first inventory: say whether it is still connecting or why not."""
        if self.papp.inventory is not None:
            return
        text = {
            "connecting": Text("connecting…", style="dim"),
            "failed": Text("not connected — ctrl+r retries, ctrl+o connects elsewhere", "yellow"),
        }.get(state)
        if text is not None:
            self.query_one("#server-info", Static).update(text)

    def on_inventory(self, inventory: Inventory) -> None:
        self.query_one("#server-info", Static).update(
            server_table(inventory, self.papp.backend.display)
        )
        self._show_settings()
        total = inventory.index_bytes
        limits = memory_limits(inventory.settings, self.papp.backend.conninfo)
        rows = [FitRow(f"vs {label}", total, capacity, note) for label, capacity, note in limits]
        self.query_one(FitBars).set_rows(rows)

    def _show_settings(self) -> None:
        inventory = self.papp.inventory
        if inventory is not None:
            pairs = 2 if self.has_class("-tiny") else 1
            self.query_one("#settings-info", Static).update(
                settings_table(inventory.settings, pairs)
            )

    def on_resize(self) -> None:
        # The breakpoint classes are set before the Resize event reaches the screen.
        self._show_settings()

    def _show_findings(self, findings: tuple[Finding, ...]) -> None:
        counts = severity_counts(findings)
        coverage = self.papp.catalog_coverage
        if not coverage.complete:  # never an unqualified count when checks were skipped
            n = coverage.objects_not_checked
            gap = f"{n} objects not checked" if n else "some checks skipped"
            counts.append(f"· {gap}", "bold yellow")
        self.query_one("#finding-counts", Static).update(counts)
        gaps = self.query_one("#overview-coverage", Static)
        gaps.display = bool(coverage.entries)
        # one row per gap (the full text is in pgvtui check)
        gaps.update(Text("\n".join(f"• {e.line()}" for e in coverage.entries), style="yellow"))
        self.query_one(FindingsList).show(findings[:TOP_FINDINGS])

    def action_refresh(self) -> None:
        self.papp.refresh_inventory()

    @on(FindingsList.CopyRequested)
    def _copy(self, event: FindingsList.CopyRequested) -> None:
        self.papp.copy_text(event.text, "Fix")
