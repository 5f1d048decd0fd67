"""Every rule is found through the one registry, has a stable kebab-case id, a severity, a kind,
a module of its own, a section in docs/rules.md and at least one test that names it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pgvtui.core.rules import Severity, all_rules
from pgvtui.core.rules.base import HELPER_MODULES

ROOT = Path(__file__).resolve().parents[2]
RULES = all_rules()
TEST_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))


def test_registry_is_complete() -> None:
    modules = {
        p.stem
        for p in (ROOT / "pgvtui/core/rules").glob("*.py")
        if p.stem != "__init__" and p.stem not in HELPER_MODULES
    }
    assert modules == {rid.replace("-", "_") for rid in RULES}
    assert len(RULES) >= 32


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_contract(rule_id: str) -> None:
    cls = RULES[rule_id]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule_id)
    assert cls.id == rule_id
    assert isinstance(cls.severity, Severity)
    assert cls.kind in ("query", "catalog")
    assert cls.summary and not cls.summary.endswith(".")
    assert cls.__module__ == f"pgvtui.core.rules.{rule_id.replace('-', '_')}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_is_documented_and_tested(rule_id: str) -> None:
    docs = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    assert re.search(rf"^#+ {re.escape(rule_id)}$", docs, re.M), f"{rule_id} not in docs/rules.md"
    assert f'"{rule_id}"' in TEST_TEXT or f"'{rule_id}'" in TEST_TEXT, f"no test names {rule_id}"
