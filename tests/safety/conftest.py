"""Fixtures for the adversarial safety suite: ``target`` (a database with everything an attacker
would aim at, see ``support.py``), ``roles`` (least-privilege logins), ``no_pg_env``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.safety.support import Roles, Target, make_roles, make_target


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "property: hypothesis property test (1,000 examples, each under ~20 s)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/safety/" in str(item.fspath) and "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="module")
def target(pg_server: Any) -> Iterator[Target]:
    yield from make_target(pg_server, "safety")


@pytest.fixture(scope="module")
def roles(target: Target) -> Iterator[Roles]:
    yield from make_roles(target)


@pytest.fixture
def no_pg_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No PG* variable leaks in from the developer's shell; an empty .pgpass."""
    for key in list(os.environ):
        if key.startswith("PG") and not key.startswith("PGVTUI"):
            monkeypatch.delenv(key, raising=False)
    empty = tmp_path / "empty.pgpass"
    empty.write_text("")
    empty.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(empty))
