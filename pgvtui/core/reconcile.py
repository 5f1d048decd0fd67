"""One plan per object: findings on the same index or table are reconciled before they are shown.

Rules run independently, so two of them can disagree about one object: ``ivfflat-lists`` rebuilds
an index with new lists and suggests the probes for *them*, while ``ivfflat-low-probes`` suggests
probes for the lists the index has *now*; ``duplicate-index`` keeps one copy that
``unused-index`` would drop. Rules therefore state what their fix does in structured fields of
:class:`~pgvtui.core.rules.base.Finding` — ``drops``, ``keeps``, ``rebuilds`` and ``sets`` — and
:func:`reconcile` (called once by :func:`~pgvtui.core.rules.base.run_rules`, wherever findings are
collected) makes them agree, generically, by these fields:

1. **keep beats drop.** An object one finding keeps and another drops is kept (dropping is the
   irreversible choice, and a keeping rule keeps the copy the workload or the planner uses); the
   dropping finding's fix is commented out with the reason.
2. **One value per setting and object.** When findings on one object set the same setting to
   different values, the value from the finding that rebuilds the object wins (its settings are
   for the object *after* the rebuild, e.g. probes for the recommended lists); otherwise the
   largest value (more recall, more memory) wins. A fix that is only settings is rewritten with
   the agreed value; other fixes get a comment line saying which value to use.
3. **Acting on an object another finding drops** (rebuild, settings, prewarm …) is marked "only if
   you keep it" — or, when the drop is a choice between copies (the dropping finding also keeps
   one), skipped: its fix is commented out. A settings-only finding whose setting is already part
   of another finding's rebuild of the object is folded into it the same way.
4. **Order.** Every finding with a fix gets a ``step``: drops first (less to rebuild, vacuum or
   cache), then rebuilds, then settings, then the rest; within a kind by severity. The report
   lists the steps as "do this first".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pgvtui.core.rules.base import Finding, RuleContext

ACTION_ORDER = ("drop", "rebuild", "set", "review")
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4}


def settings_fix(sets: Sequence[tuple[str, str]], database: str | None = None) -> str:
    """The fix text for a finding whose fix is only settings (so reconciliation can rewrite it)."""
    lines = [f"SET {name} = {value};" for name, value in sets]
    if database:
        lines += [
            f"-- for every new session: ALTER DATABASE {database} SET {name} = {value};"
            for name, value in sets
        ]
    return "\n".join(lines)


def action(f: Finding) -> str:
    if f.drops:
        return "drop"
    if f.rebuilds:
        return "rebuild"
    if f.sets:
        return "set"
    return "review"


def _magnitude(value: str) -> float | None:
    """``'64MB'`` → bytes, ``'15'`` → 15.0; None when not a number."""
    text = value.strip().strip("'").replace(" ", "").lower()
    for unit in sorted(_UNITS, key=len, reverse=True):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return float(text[: -len(unit)]) * _UNITS[unit]
    try:
        return float(text)
    except ValueError:
        return None


def _objects(f: Finding) -> set[str]:
    out = set(f.drops) | set(f.keeps) | set(f.rebuilds)
    if f.object and not (f.drops or f.keeps):
        out.add(f.object)
    return out


def _commented(fix: str | None) -> str | None:
    if fix is None:
        return None
    return "\n".join(line if line.startswith("--") else f"-- {line}" for line in fix.splitlines())


def _with_note(f: Finding, note: str, **changes: object) -> Finding:
    return replace(f, notes=(*f.notes, note), **changes)  # type: ignore[arg-type]


def _keep_beats_drop(findings: list[Finding]) -> list[Finding]:
    kept: dict[str, Finding] = {}
    for f in findings:
        for name in f.keeps:
            kept.setdefault(name, f)
    out = []
    for f in findings:
        lost = [name for name in f.drops if name in kept and kept[name] is not f]
        if lost:
            keeper = kept[lost[0]]
            remaining = tuple(n for n in f.drops if n not in lost)
            note = f"keep {', '.join(lost)}: {keeper.rule} keeps it as the copy to use" + (
                " — drop only the others" if remaining else ""
            )
            fix = f.fix if remaining else _commented(f.fix)
            f = _with_note(f, note, drops=remaining, keeps=(*f.keeps, *lost), fix=fix)
        out.append(f)
    return out


def _one_value_per_setting(findings: list[Finding], database: str | None) -> list[Finding]:
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        for obj in _objects(f):
            for name, _value in f.sets:
                by_key[(obj, name)].append(i)
    agreed: dict[int, dict[str, tuple[str, Finding]]] = defaultdict(dict)
    for (obj, name), idxs in by_key.items():
        values = {dict(findings[i].sets)[name] for i in idxs}
        if len(idxs) < 2 or len(values) < 2:
            continue

        def rank(i: int, name: str = name, obj: str = obj) -> tuple[int, float]:
            f = findings[i]
            return (obj in f.rebuilds, _magnitude(dict(f.sets)[name]) or 0.0)

        winner = findings[max(idxs, key=rank)]
        value = dict(winner.sets)[name]
        for i in idxs:
            if dict(findings[i].sets)[name] != value:
                agreed[i][name] = (value, winner)
    out = list(findings)
    for i, changes in agreed.items():
        f = out[i]
        pure = f.fix == settings_fix(f.sets, database) or f.fix == settings_fix(f.sets)
        new_sets = tuple((n, changes[n][0] if n in changes else v) for n, v in f.sets)
        notes = [
            f"{n} = {value} as {w.rule} recommends"
            + (f" for {', '.join(sorted(w.rebuilds))} after its rebuild" if w.rebuilds else "")
            for n, (value, w) in changes.items()
        ]
        folded = [w for _n, (_v, w) in changes.items() if w.rebuilds and action(f) == "set"]
        fix: str | None
        if pure:
            fix = settings_fix(new_sets, database if f.fix != settings_fix(f.sets) else None)
        elif folded and len(folded) == len(changes) and _only_sets(f.fix, changes):
            # its only action is a setting for a rebuild another finding already plans
            fix = _commented(f.fix)
            notes.append(f"covered by {folded[0].rule}, whose rebuild sets it")
        else:
            fix = (f.fix or "") + "".join(
                f"\n-- one plan: use {n} = {value} ({w.rule})" for n, (value, w) in changes.items()
            )
        out[i] = replace(f, sets=new_sets, fix=fix, notes=(*f.notes, *notes))
    return out


def _only_sets(fix: str | None, names: Iterable[str]) -> bool:
    """Every statement line of ``fix`` is a ``SET`` of one of ``names`` (the rest comments)."""
    names = list(names)
    lines = [ln.strip() for ln in (fix or "").splitlines()]
    statements = [ln for ln in lines if ln and not ln.startswith("--")]
    return bool(statements) and all(
        any(ln.startswith(f"SET {n} ") for n in names) for ln in statements
    )


def _only_if_kept(findings: list[Finding]) -> list[Finding]:
    dropped: dict[str, Finding] = {}
    for f in sorted(findings, key=lambda f: not f.keeps):  # a choice between copies first
        for name in f.drops:
            dropped.setdefault(name, f)
    out = []
    for f in findings:
        same = [dropped[n] for n in f.drops if dropped[n] is not f and dropped[n].keeps]
        if f.drops and len(same) == len(f.drops):  # already dropped by a choice between copies
            f = _with_note(f, f"covered by {same[0].rule}, which drops it", fix=_commented(f.fix))
            out.append(f)
            continue
        acted = sorted(
            name for name in _objects(f) - set(f.drops) - set(f.keeps) if name in dropped
        )
        if acted and not f.drops:
            by = dropped[acted[0]]
            if by.keeps:  # a choice between copies: the dropped one needs nothing else
                note = f"skip: {by.rule} drops {', '.join(acted)} and keeps {by.keeps[0]}"
                f = _with_note(f, note, fix=_commented(f.fix))
            else:
                f = _with_note(f, f"only if you keep {', '.join(acted)} ({by.rule} drops it)")
        out.append(f)
    return out


def _steps(findings: list[Finding]) -> list[Finding]:
    with_fix = [i for i, f in enumerate(findings) if f.fix and not _all_commented(f.fix)]
    order = sorted(
        with_fix,
        key=lambda i: (
            ACTION_ORDER.index(action(findings[i])),
            -findings[i].severity.rank,
            findings[i].object or "",
            findings[i].rule,
        ),
    )
    out = list(findings)
    for step, i in enumerate(order, start=1):
        out[i] = replace(out[i], step=step)
    return out


def _all_commented(fix: str) -> bool:
    return all(line.startswith("--") or not line.strip() for line in fix.splitlines())


def reconcile(findings: Sequence[Finding], ctx: RuleContext | None = None) -> list[Finding]:
    """The findings, agreeing with each other and numbered in the order to act (module doc)."""
    database = None
    if ctx is not None and ctx.inventory is not None:
        from pgvtui.core.rules.wording import ident

        database = ident(ctx.inventory.server.database)
    out = _keep_beats_drop(list(findings))
    out = _one_value_per_setting(out, database)
    out = _only_if_kept(out)
    return _steps(out)


def action_plan(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that have a step, in the order to act on them."""
    return sorted((f for f in findings if f.step is not None), key=lambda f: f.step or 0)
