from __future__ import annotations

import pytest

from pgvtui.core import conninfo as ci
from pgvtui.core.conninfo import ConnOptions
from pgvtui.errors import UsageError


def _d(s: str) -> dict[str, str]:
    return ci.parse(s)


def test_bare_dbname() -> None:
    assert _d(ConnOptions(conninfo="mydb").to_conninfo()) == {"dbname": "mydb"}


def test_uri_and_flags_override() -> None:
    opts = ConnOptions(conninfo="postgresql://alice@db.example:6432/app", port="7000", user="bob")
    d = _d(opts.to_conninfo())
    assert d["host"] == "db.example"
    assert d["port"] == "7000"
    assert d["user"] == "bob"
    assert d["dbname"] == "app"


def test_key_value_kept() -> None:
    d = _d(ConnOptions(conninfo="service=prod sslmode=require").to_conninfo(dbname="x"))
    assert d == {"service": "prod", "sslmode": "require", "dbname": "x"}


def test_nothing_given_leaves_everything_to_libpq() -> None:
    assert ConnOptions().to_conninfo() == ""


def test_invalid_conninfo_is_usage_error_without_password() -> None:
    with pytest.raises(UsageError) as exc:
        ConnOptions(conninfo="host=x password=s3cr3t bogus").to_conninfo()
    assert "s3cr3t" not in str(exc.value)


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://u:s3cr3t@h:5432/db",
        "host=h password=s3cr3t user=u",
        "host=h password='s3cr3t' user=u",
    ],
)
def test_redact_hides_password(dsn: str) -> None:
    shown = ci.redact(dsn)
    assert "s3cr3t" not in shown
    assert "********" in shown


def test_redact_message_patterns() -> None:
    text = 'connection to "postgresql://u:hunter2@h/db" failed; password=hunter2 bad'
    out = ci.redact_message(text)
    assert "hunter2" not in out
    assert ci.redact_message("x hunter2 y", "hunter2") == "x ******** y"


def test_describe() -> None:
    assert ci.describe({"user": "u", "host": "h", "port": "1", "dbname": "d"}) == "u@h:1/d"
