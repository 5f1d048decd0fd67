"""Diagnosis rules: one module per rule, found through :func:`base.all_rules`."""

from pgvtui.core.rules.base import (
    Finding,
    Rule,
    RuleContext,
    Severity,
    all_rules,
    register,
    run_rules,
)

__all__ = ["Finding", "Rule", "RuleContext", "Severity", "all_rules", "register", "run_rules"]
