"""Findings with their fixes; the highlighted finding's fix can be copied (``c``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from pgvtui.core.rules.base import Finding, Severity

SEVERITY_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.INFO: "cyan",
}
SEVERITY_ICON = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "●"}


def finding_renderable(f: Finding) -> Group:
    head = Text()
    head.append(f"{SEVERITY_ICON[f.severity]} {f.severity.value:<7} ", SEVERITY_STYLE[f.severity])
    head.append(f.rule, style="bold")
    if f.object:
        head.append(f"  {f.object}", style="dim")
    if f.step is not None:  # the order to act in (core.reconcile)
        head.append(f"  step {f.step}", style="bold")
    parts: list[Text] = [head, Text("  " + f.message)]
    parts += [Text(f"  plan: {note}", style="italic") for note in f.notes]
    if f.evidence:
        parts.append(Text("  evidence: " + f.evidence, style="dim"))
    if f.fix:
        label = "  fix: " if f.fix_is_sql else "  do: "
        parts.append(Text(label + f.fix, style="green"))
    return Group(*parts)


class FindingsList(OptionList):
    """One option per finding (severity, rule, object, message, evidence, fix).

    Bindings:
        c: copy the highlighted finding's fix to the clipboard.
    """

    DEFAULT_CSS = """
    FindingsList { height: 1fr; }
    """

    BINDINGS = [Binding("c", "copy_fix", "Copy fix")]

    class CopyRequested(Message):
        """The user asked to copy a fix; the App copies it (OSC 52)."""

        def __init__(self, findings_list: FindingsList, text: str) -> None:
            super().__init__()
            self.findings_list = findings_list
            self.text = text

        @property
        def control(self) -> FindingsList:
            return self.findings_list

    def __init__(self, empty_text: str = "no findings", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.empty_text = empty_text
        self.findings: tuple[Finding, ...] = ()

    def show(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        self.clear_options()
        if not self.findings:
            self.add_option(Option(Text(self.empty_text, style="dim"), disabled=True))
            return
        self.add_options(Option(finding_renderable(f)) for f in self.findings)
        self.highlighted = 0

    def action_copy_fix(self) -> None:
        idx = self.highlighted
        if idx is None or idx >= len(self.findings):
            return
        fix = self.findings[idx].fix
        if fix:
            self.post_message(self.CopyRequested(self, fix))
