"""psql's small habits on the command line: -V, -?, [DBNAME [USERNAME]], no 80-column pipe."""

from __future__ import annotations

import pytest

from pgvtui import __version__
from pgvtui.cli import build_parser, main
from pgvtui.commands.common import apply_config, conn_options
from pgvtui.core.config import Config


def _exit(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code or 0), capsys.readouterr().out


def test_dash_v_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["-V"], capsys) == (0, f"pgvtui {__version__}\n")


@pytest.mark.parametrize("argv", [["-?"], ["inventory", "-?"], ["check", "-?"]])
def test_dash_question_mark_is_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _exit(argv, capsys)
    assert code == 0 and out.startswith("usage: pgvtui")


def test_positional_dbname_and_username() -> None:
    args = build_parser().parse_args(["inventory", "app", "ops"])
    apply_config(args, Config())
    opts = conn_options(args)
    assert (opts.conninfo, opts.user) == ("app", "ops")
    assert sorted(opts.to_conninfo().split()) == ["dbname=app", "user=ops"]
    # -U wins over the positional user, as in psql
    args = build_parser().parse_args(["inventory", "app", "ops", "-U", "dba"])
    apply_config(args, Config())
    assert conn_options(args).user == "dba"


def test_config_conninfo_is_the_default_connection() -> None:
    args = build_parser().parse_args(["inventory", "-d", "other"])
    apply_config(args, Config(conninfo="host=db1 dbname=app", service="prod"))
    got = sorted(conn_options(args).to_conninfo().split())
    assert got == ["dbname=other", "host=db1", "service=prod"]  # -d wins over the file


def test_config_statement_timeout_and_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    args = build_parser().parse_args(["inventory"])
    apply_config(args, Config(statement_timeout_ms=1500))
    assert args.statement_timeout == 1500
    args = build_parser().parse_args(["inventory", "--statement-timeout", "2s"])
    apply_config(args, Config(statement_timeout_ms=1500))
    assert args.statement_timeout == 2000
    args = build_parser().parse_args(["inventory"])
    apply_config(args, Config())
    assert args.statement_timeout == 30_000
