"""The config file (pgvtui/core/config.py) and the CLI defaults it sets."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest

from pgvtui.cli import main
from pgvtui.core.config import (
    Config,
    ConfigError,
    config_path,
    load_config,
    save_setting,
    toml_scalar,
)

SAMPLE = Path(__file__).parents[2] / "docs" / "config.md"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_missing_file_is_all_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "nope.toml") == Config()


def test_all_keys_read(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        'theme = "nord"\nformat = "markdown"\nstatement_timeout = "2min"\n'
        'conninfo = "host=db1 dbname=app"\nservice = "prod"\npager = "most"\nno_pager = true\n',
    )
    cfg = load_config(p)
    assert cfg == Config(
        theme="nord",
        format="markdown",
        statement_timeout_ms=120_000,
        conninfo="host=db1 dbname=app",
        service="prod",
        pager="most",
        no_pager=True,
        path=p,
    )
    dflt = cfg.default_conninfo()
    assert dflt is not None
    assert sorted(dflt.split()) == ["dbname=app", "host=db1", "service=prod"]


def test_integer_timeout_is_milliseconds(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, "statement_timeout = 1500\n")).statement_timeout_ms == 1500


@pytest.mark.parametrize(
    ("text", "key", "why"),
    [
        ('colour = "red"\n', "colour", "unknown key"),
        ('format = "yaml"\n', "format", "not one of text, json, markdown"),
        ("format = 3\n", "format", "must be a string"),
        ('statement_timeout = "soon"\n', "statement_timeout", "not a duration"),
        ('statement_timeout = "-5s"\n', "statement_timeout", "negative"),
        ("statement_timeout = true\n", "statement_timeout", "a duration"),
        ('no_pager = "yes"\n', "no_pager", "true or false"),
        ('theme = ""\n', "theme", "empty"),
        ('conninfo = "host=x password=hunter2"\n', "conninfo", "must not hold a password"),
        ('conninfo = "postgresql://u:hunter2@h/db"\n', "conninfo", "must not hold a password"),
        ('conninfo = "host=\'unterminated"\n', "conninfo", "invalid connection string"),
        ("[pgvtui]\ntheme = 'x'\n", "pgvtui", "unknown key"),
    ],
)
def test_bad_entries_name_file_and_key(tmp_path: Path, text: str, key: str, why: str) -> None:
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(p)
    line = info.value.one_line()
    assert "\n" not in line
    assert line.startswith(f"Config error: {p}: {key}: ")
    assert why in line
    assert "hunter2" not in line


def test_broken_toml_is_one_line(tmp_path: Path) -> None:
    p = _write(tmp_path, 'theme = "nord\n')
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_config(p)
    assert str(p) in info.value.one_line()


def test_env_var_points_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = _write(tmp_path, 'format = "json"\n')
    monkeypatch.setenv("PGVTUI_CONFIG", str(p))
    assert config_path() == p
    assert load_config().format == "json"


@pytest.mark.parametrize(
    "value", ["plain", 'quo"te', "back\\slash", "tab\tnew\nline", "\x01ctl\x7f", "ünï", 42, True]
)
def test_toml_scalar_round_trips(value: str | int | bool) -> None:
    assert tomllib.loads(f"k = {toml_scalar(value)}")["k"] == value


def test_save_setting_keeps_comments_and_other_keys(tmp_path: Path) -> None:
    p = _write(tmp_path, '# my settings\nformat = "json"  # for scripts\n\ntheme = "nord"\n')
    os.chmod(p, 0o600)
    save_setting("theme", "gruvbox", p)
    text = p.read_text()
    assert text.startswith('# my settings\nformat = "json"  # for scripts\n')
    assert load_config(p).theme == "gruvbox" and load_config(p).format == "json"
    assert stat.S_IMODE(p.stat().st_mode) == 0o600  # the mode survives the rename
    save_setting("no_pager", True, p)
    assert load_config(p).no_pager is True
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".config-")]


def test_save_setting_rewrites_a_multiline_value(tmp_path: Path) -> None:
    p = _write(tmp_path, 'pager = """less\n-R"""\nformat = "text"\n')
    save_setting("pager", "less -SRX", p)
    cfg = load_config(p)
    assert cfg.pager == "less -SRX" and cfg.format == "text"


def test_save_setting_creates_the_file_and_refuses_bad_values(tmp_path: Path) -> None:
    p = tmp_path / "sub" / "config.toml"
    save_setting("theme", 'odd "name"', p)
    assert load_config(p).theme == 'odd "name"'
    with pytest.raises(ConfigError, match="unknown key"):
        save_setting("nope", "x", p)
    with pytest.raises(ConfigError, match="format"):
        save_setting("format", "yaml", p)
    assert load_config(p).theme == 'odd "name"'


def test_documented_sample_is_valid(tmp_path: Path) -> None:
    """The sample in docs/config.md loads and sets every key."""
    text = SAMPLE.read_text()
    sample = text.split("```toml\n", 1)[1].split("```", 1)[0]
    cfg = load_config(_write(tmp_path, sample))
    assert set(tomllib.loads(sample)) == {
        "theme",
        "format",
        "statement_timeout",
        "conninfo",
        "service",
        "pager",
        "no_pager",
    }
    assert cfg.path is not None


ESTIMATE = ["estimate", "--method", "hnsw", "--type", "vector", "--dims", "8", "--rows", "1000"]


def test_cli_takes_format_from_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PGVTUI_CONFIG", str(_write(tmp_path, 'format = "json"\n')))
    assert main(ESTIMATE) == 0
    assert json.loads(capsys.readouterr().out)["inputs"]["dims"] == 8
    # the flag wins over the file
    assert main([*ESTIMATE, "--format", "text"]) == 0
    assert "index size" in capsys.readouterr().out


def test_cli_bad_config_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _write(tmp_path, 'format = "yaml"\n')
    monkeypatch.setenv("PGVTUI_CONFIG", str(p))
    assert main(ESTIMATE) == 2
    err = capsys.readouterr().err
    assert err == f"Config error: {p}: format: 'yaml' is not one of text, json, markdown\n"
