"""``pgvtui report`` as the recommended role and as a bare role (SELECT only), with the recall
check on, over the safety suite's target: every database is checked, what the role may not read
degrades to a note naming the privilege, the password appears nowhere, nothing is changed."""

from __future__ import annotations

import json

import pytest

from tests.safety.support import Roles, Target, run_cli


@pytest.mark.parametrize("kind", ["monitor", "bare"])
def test_report_as_least_privileged_roles(
    kind: str, roles: Roles, target: Target, no_pg_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    role = roles.monitor if kind == "monitor" else roles.bare
    code, out, err = run_cli(
        ["report", role.dsn, "--format", "json", "--recall-sample", "5"], capsys
    )
    assert code == 0, err
    assert role.password not in out + err
    doc = json.loads(out)
    (db,) = doc["databases"]
    assert db["server"]["user"] == role.name and db["indexes"]
    if kind == "bare":
        assert db["buffercache"]["available"] is False
        assert "pg_monitor" in db["buffercache"]["reason"]
    for r in db["recall"]:  # measured, or why not in one line — never a raw traceback
        assert r["recall_mean"] is not None or (r["error"] and "\n" not in r["error"])
    target.check_unchanged()
