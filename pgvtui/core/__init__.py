"""The execution core: no Textual anywhere below here (enforced by tests/unit/test_boundary.py
and the import-linter contract in pyproject.toml)."""
