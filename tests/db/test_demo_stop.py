"""``pgvtui demo --stop``: finds the right data dir, says what it did, and exits non-zero when
there was nothing to stop (it used to print "demo server stopped" and exit 0 regardless)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgvtui.cli import main
from pgvtui.commands.demo import _remember
from tests.conftest import scratch_server


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Private XDG dirs: the default demo dir and the state file live under tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


def test_not_a_demo_dir_is_an_error(dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = dirs / "nowhere"
    assert main(["demo", "--stop", "--data-dir", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"Demo server: {missing} is not a demo data directory (no pgdata/PG_VERSION in it)\n"
    )


def test_nothing_running_exits_1(dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--stop"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("no demo server is running in ")
    assert str(dirs / "data" / "pgvtui" / "demo") in err


def test_stops_the_server_in_the_last_data_dir(
    dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with scratch_server("pgvtui-w14c-demo-", "16MB") as server:
        server.start()
        _remember(server.data_dir)  # as `pgvtui demo --data-dir DIR` does
        assert server.running()
        assert main(["demo", "--stop"]) == 0  # no --data-dir: found through the state file
        assert capsys.readouterr().err == f"stopped the demo server in {server.data_dir}\n"
        assert not server.running()
        # a second stop has nothing to stop
        assert main(["demo", "--stop", "--data-dir", str(server.data_dir)]) == 1
        assert "no demo server is running in" in capsys.readouterr().err
