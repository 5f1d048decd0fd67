"""Bundled example queries against the demo schema: one flawed query per rule (and the golden
path). Each file starts with ``-- title:``, ``-- expect:`` (rule ids that should fire) and
optional ``-- set: name=value`` lines."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    expect: tuple[str, ...]
    settings: dict[str, str]
    sql: str


def load_examples() -> list[Example]:
    out: list[Example] = []
    files = sorted(
        (p for p in resources.files(__package__).iterdir() if p.name.endswith(".sql")),
        key=lambda p: p.name,
    )
    for path in files:
        text = path.read_text(encoding="utf-8")
        title = path.name
        expect: tuple[str, ...] = ()
        settings: dict[str, str] = {}
        body: list[str] = []
        for line in text.splitlines():
            if line.startswith("-- title:"):
                title = line.split(":", 1)[1].strip()
            elif line.startswith("-- expect:"):
                expect = tuple(x.strip() for x in line.split(":", 1)[1].split(",") if x.strip())
            elif line.startswith("-- set:"):
                name, _, value = line.split(":", 1)[1].strip().partition("=")
                settings[name.strip()] = value.strip()
            else:
                body.append(line)
        out.append(
            Example(
                name=path.name.removesuffix(".sql"),
                title=title,
                expect=expect,
                settings=settings,
                sql="\n".join(body).strip(),
            )
        )
    return out
