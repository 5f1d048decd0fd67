"""The Search screen's controls: k, the query vector, and the pgvector settings of the run."""

from __future__ import annotations

from collections.abc import Mapping

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Select

from pgvtui.ui.widgets.form import choice

ITERATIVE = ("off", "relaxed_order", "strict_order")
VECTOR_MODES = (("row by id", "id"), ("random row", "random"), ("paste literal", "literal"))
# setting name → widget id (an empty field leaves the server's value)
SETTINGS = {
    "hnsw.ef_search": "ef-search",
    "hnsw.max_scan_tuples": "max-scan-tuples",
    "ivfflat.probes": "probes",
}


class SearchControls(Vertical):
    """Compact controls; any change posts :class:`SearchControls.Changed`.

    Reactives: none — read :meth:`settings`, :attr:`k` and :meth:`vector_choice`.
    """

    DEFAULT_CSS = """
    SearchControls { width: 40; height: auto; padding: 0 1; }
    SearchControls Horizontal { height: 1; }
    SearchControls Label { width: 17; color: $text-muted; }
    SearchControls Checkbox { border: none; height: 1; padding: 0; background: transparent; }
    SearchControls Input { width: 1fr; }
    SearchControls Select { width: 1fr; }
    SearchControls #k { width: 6; }
    SearchControls #vector-mode { width: 1fr; }
    """

    class Changed(Message):
        """A control changed. ``field`` names it: k, vector, setting or watch."""

        def __init__(self, controls: SearchControls, field: str) -> None:
            super().__init__()
            self.controls = controls
            self.field = field

        @property
        def control(self) -> SearchControls:
            return self.controls

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._ready = False  # the controls' own initial Changed events are not user changes

    def on_mount(self) -> None:
        self.call_after_refresh(self._set_ready)

    def _set_ready(self) -> None:
        self._ready = True

    def _post(self, field: str) -> None:
        if self._ready:
            self.post_message(self.Changed(self, field))

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("k (LIMIT)")
            yield Input("10", id="k", type="integer", compact=True, max_length=4)
        with Horizontal():
            yield Label("query vector")
            yield Select(
                VECTOR_MODES, value="id", allow_blank=False, compact=True, id="vector-mode"
            )
        with Horizontal():
            yield Label("  id / literal")
            yield Input("", id="vector-value", compact=True, placeholder="row id, or [0.1, …]")
        with Horizontal():
            yield Label("ef_search")
            yield Input("", id="ef-search", type="integer", compact=True, placeholder="40")
        with Horizontal():
            yield Label("iterative_scan")
            yield choice(ITERATIVE, "off", "iterative-scan")
        with Horizontal():
            yield Label("max_scan_tuples")
            yield Input("", id="max-scan-tuples", type="integer", compact=True, placeholder="20000")
        with Horizontal():
            yield Label("ivfflat.probes")
            yield Input("", id="probes", type="integer", compact=True, placeholder="1")
        with Horizontal():
            yield Label("watch")
            yield Checkbox("every 3 s", False, id="watch", compact=True)

    # -- reading ----------------------------------------------------------------------
    @property
    def k(self) -> int:
        text = self.query_one("#k", Input).value.strip()
        return max(1, min(1000, int(text))) if text.isdigit() else 10

    def vector_choice(self) -> tuple[str, str]:
        mode = self.query_one("#vector-mode", Select).value
        return str(mode), self.query_one("#vector-value", Input).value.strip()

    def settings(self) -> dict[str, str]:
        """Only the settings the user set (the server's values apply to the rest)."""
        out: dict[str, str] = {}
        for name, wid in SETTINGS.items():
            value = self.query_one(f"#{wid}", Input).value.strip()
            if value:
                out[name] = value
        it = self.query_one("#iterative-scan", Select).value
        if isinstance(it, str) and it != "off":
            out["hnsw.iterative_scan"] = it
        return out

    @property
    def watching(self) -> bool:
        return self.query_one("#watch", Checkbox).value

    # -- writing (without posting Changed) --------------------------------------------
    def apply(self, settings: Mapping[str, str], *, k: int | None = None) -> None:
        """Show ``settings`` (e.g. an example's SET lines or Recall's recommendation)."""
        with self.prevent(Input.Changed, Select.Changed):
            for name, wid in SETTINGS.items():
                self.query_one(f"#{wid}", Input).value = settings.get(name, "")
            it = settings.get("hnsw.iterative_scan", "off")
            self.query_one("#iterative-scan", Select).value = it if it in ITERATIVE else "off"
            if k is not None:
                self.query_one("#k", Input).value = str(k)

    def set_vector(self, mode: str, value: str) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#vector-mode", Select).value = mode
            self.query_one("#vector-value", Input).value = value

    # -- events -----------------------------------------------------------------------
    @on(Input.Changed)
    def _input(self, event: Input.Changed) -> None:
        event.stop()
        wid = event.input.id or ""
        field = "k" if wid == "k" else "vector" if wid == "vector-value" else "setting"
        if field == "vector":
            return  # applied on Enter (a half-typed id is not a query)
        self._post(field)

    @on(Input.Submitted, "#vector-value")
    def _vector_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._post("vector")

    @on(Select.Changed)
    def _select(self, event: Select.Changed) -> None:
        event.stop()
        field = "vector" if event.select.id == "vector-mode" else "setting"
        self._post(field)

    @on(Checkbox.Changed)
    def _switch(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._post("watch")
