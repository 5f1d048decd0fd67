"""The core (and the CLI's headless paths) must not load Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "pgvtui.core.session",
    "pgvtui.core.catalog",
    "pgvtui.core.plan",
    "pgvtui.core.rules",
    "pgvtui.core.demo",
    "pgvtui.render.inventory",
    "pgvtui.cli",
]


def _python(code: str) -> str:
    """Run ``code`` in a fresh interpreter; its stdout, stripped."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.strip()


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_does_not_import_textual(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "from pgvtui.core.rules import all_rules\n"
        "all_rules()\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')"
        " or m.startswith('pgvtui.ui'))\n"
        "print(','.join(bad))\n"
    )
    bad = _python(code)
    assert bad == "", f"{module} pulled in: {bad}"


def test_cli_parser_builds_without_textual() -> None:
    code = (
        "import sys\n"
        "from pgvtui.cli import build_parser\n"
        "build_parser()\n"
        "print('textual' in sys.modules)\n"
    )
    assert _python(code) == "False"
