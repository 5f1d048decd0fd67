"""One plan per object: findings of different rules on the same index agree (core/reconcile.py).

Every pair of catalog rules that can fire on one index is enumerated in ``PAIRS`` and each pair
is seen co-firing on the real server (``OBSERVED``) or, where the fixture cannot make both fire
on one small test server (an index larger than memory, a cold index, an invalid one), run
through :func:`reconcile` with findings carrying the same structured fields the rule sets
(``SYNTHETIC``). ``NEVER`` lists the pairs the rules themselves exclude, with the reason."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from psycopg import sql

from pgvtui.core.checkup import check_catalog
from pgvtui.core.reconcile import action, action_plan, reconcile
from pgvtui.core.rules.base import Finding, Severity, all_rules
from pgvtui.core.session import Session
from tests.db.rules.conftest import VectorDB, create_vector_table

INDEX_RULES = (
    "build-memory-low",
    "duplicate-index",
    "hnsw-params-small-for-size",
    "index-exceeds-memory",
    "index-mostly-cold",
    "invalid-index",
    "ivfflat-lists",
    "ivfflat-low-probes",
    "unused-index",
)
PAIRS = set(itertools.combinations(INDEX_RULES, 2))

# the rules keep these apart: a valid-only rule never meets invalid-index, HNSW never IVFFlat
NEVER = {
    ("duplicate-index", "invalid-index"): "duplicate-index groups valid indexes only",
    ("invalid-index", "ivfflat-lists"): "ivfflat-lists skips invalid indexes",
    ("invalid-index", "ivfflat-low-probes"): "ivfflat-low-probes skips invalid indexes",
    ("invalid-index", "unused-index"): "unused-index skips invalid indexes",
    ("hnsw-params-small-for-size", "ivfflat-lists"): "HNSW vs IVFFlat",
    ("hnsw-params-small-for-size", "ivfflat-low-probes"): "HNSW vs IVFFlat",
    ("hnsw-params-small-for-size", "invalid-index"): "hnsw-params skips invalid indexes",
}
# seen together on one index of the fixture below
OBSERVED = {
    ("build-memory-low", "duplicate-index"),
    ("build-memory-low", "hnsw-params-small-for-size"),
    ("build-memory-low", "ivfflat-lists"),
    ("build-memory-low", "ivfflat-low-probes"),
    ("build-memory-low", "unused-index"),
    ("duplicate-index", "hnsw-params-small-for-size"),
    ("duplicate-index", "unused-index"),
    ("hnsw-params-small-for-size", "unused-index"),
    ("ivfflat-lists", "ivfflat-low-probes"),
    ("ivfflat-lists", "unused-index"),
    ("ivfflat-low-probes", "unused-index"),
}
SYNTHETIC = PAIRS - set(NEVER) - OBSERVED


@pytest.fixture(scope="module")
def db(scratch_db: VectorDB) -> Iterator[VectorDB]:
    with scratch_db.admin() as conn:
        # the duplicate pair, never scanned: duplicate-index keeps one, unused drops both
        create_vector_table(conn, table="reviews", dims=4, rows=2000,
                            index_name="reviews_embedding_idx")  # fmt: skip
        conn.execute(
            "CREATE INDEX reviews_embedding_idx1 ON reviews USING hnsw (emb vector_l2_ops)"
        )
        # IVFFlat with lists = 100, probes = 1 (default)
        create_vector_table(conn, table="docs", dims=64, rows=2000, index="ivfflat",
                            index_name="docs_ivf")  # fmt: skip
        # a small maintenance_work_mem: rebuilds would not fit (build-memory-low)
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET maintenance_work_mem = '1MB'").format(
                sql.Identifier(scratch_db.name)
            )
        )
        for t in ("reviews", "docs"):  # millions of rows as far as the rules can tell
            conn.execute("UPDATE pg_class SET reltuples = 2000000 WHERE oid = %s::regclass", (t,))
    yield scratch_db


def _objects(f: Finding) -> set[str]:
    names = set(f.drops) | set(f.keeps) | set(f.rebuilds)
    return names | ({f.object} if f.object and not names else set())


def _check_agree(fs: list[Finding]) -> None:
    """The invariants of one plan for the findings on one object."""
    kept = {n for f in fs for n in f.keeps}
    dropped = {n for f in fs for n in f.drops}
    assert not kept & dropped, f"keep/drop contradiction on {kept & dropped}"
    values: dict[str, set[str]] = {}
    for f in fs:
        for name, value in f.sets:
            values.setdefault(name, set()).add(value)
            if f.fix and not f.fix.startswith("--"):
                assert f"{name} = {value}" in f.fix, (f.rule, f.fix)
    assert all(len(v) == 1 for v in values.values()), values
    steps = [(f.step, action(f)) for f in fs if f.step is not None]
    order = ["drop", "rebuild", "set", "review"]
    assert [s for s, _ in sorted(steps, key=lambda x: order.index(x[1]))] == sorted(
        s for s, _ in steps
    )


async def test_observed_pairs_agree_on_the_real_server(
    db: VectorDB, scratch_session: Session
) -> None:
    findings = list((await check_catalog(scratch_session)).findings)
    by_object: dict[str, list[Finding]] = {}
    for f in findings:
        for name in _objects(f):
            by_object.setdefault(name, []).append(f)
    seen: set[tuple[str, str]] = set()
    for fs in by_object.values():
        _check_agree(fs)
        for a, b in itertools.combinations(sorted({f.rule for f in fs}), 2):
            if a in INDEX_RULES and b in INDEX_RULES:
                seen.add((a, b))
    assert seen >= OBSERVED, OBSERVED - seen
    assert seen <= PAIRS - set(NEVER), seen - (PAIRS - set(NEVER))

    # the two contradictions, resolved
    lists = next(f for f in findings if f.rule == "ivfflat-lists")
    probes = next(f for f in findings if f.rule == "ivfflat-low-probes")
    assert dict(lists.sets)["ivfflat.probes"] == dict(probes.sets)["ivfflat.probes"]
    assert probes.notes and "ivfflat-lists" in probes.notes[0]
    dup = next(f for f in findings if f.rule == "duplicate-index")
    (keeper,) = dup.keeps
    unused_keeper = next(f for f in findings if f.rule == "unused-index" and f.object == keeper)
    assert keeper not in unused_keeper.drops and unused_keeper.step is None
    assert all(line.startswith("--") for line in (unused_keeper.fix or "").splitlines())
    # ordered: drops first, then rebuilds, then settings
    plan = action_plan(findings)
    kinds = [action(f) for f in plan]
    assert kinds == sorted(kinds, key=["drop", "rebuild", "set", "review"].index)
    assert plan[0].step == 1 and action(plan[0]) == "drop"
    # unused-index's drop of the copy duplicate-index drops is folded into it (one step) ...
    (dropped_copy,) = dup.drops
    unused_copy = next(f for f in findings if f.rule == "unused-index" and f.object == dropped_copy)
    assert unused_copy.step is None and any(
        "covered by duplicate-index" in n for n in unused_copy.notes
    )
    # acting on the copy duplicate-index drops is skipped (no step, fix commented out) ...
    dropped = set(dup.drops)
    acting = [f for f in findings if not f.drops and _objects(f) & dropped]
    assert acting and all(any(n.startswith("skip:") for n in f.notes) for f in acting)
    assert all(f.step is None for f in acting)
    # ... acting on an index unused-index would drop is "only if you keep it"
    maybe = {n for f in findings if f.rule == "unused-index" for n in f.drops}
    acting = [f for f in findings if not f.drops and _objects(f) & (maybe - dropped)]
    assert acting and all(any("only if you keep" in n for n in f.notes) for f in acting)
    # build-memory-low's setting for docs_ivf is folded into ivfflat-lists' rebuild
    mem = next(f for f in findings if f.rule == "build-memory-low" and f.object == lists.object)
    assert mem.step is None and any("covered by ivfflat-lists" in n for n in mem.notes)


def _synthetic(rule: str, obj: str) -> Finding:
    """A finding as ``rule`` makes it for index ``obj`` (the structured fields the rule sets)."""
    fields: dict[str, object] = {}
    fix: str | None = "-- review"
    if rule == "duplicate-index":
        fields = {"drops": ("public.other",), "keeps": (obj,)}
        fix = "DROP INDEX CONCURRENTLY public.other;"
    elif rule == "unused-index":
        fields = {"drops": (obj,)}
        fix = f"DROP INDEX CONCURRENTLY {obj};"
    elif rule == "invalid-index":
        fields = {"rebuilds": (obj,)}
        fix = f"REINDEX INDEX CONCURRENTLY {obj};"
    elif rule in ("ivfflat-lists", "hnsw-params-small-for-size"):
        fields = {"rebuilds": (obj,), "sets": (("maintenance_work_mem", "'2GB'"),)}
        fix = f"SET maintenance_work_mem = '2GB';\nREINDEX INDEX CONCURRENTLY {obj};"
    elif rule == "build-memory-low":
        fields = {"sets": (("maintenance_work_mem", "'1GB'"),)}
        fix = "SET maintenance_work_mem = '1GB';"
    elif rule == "ivfflat-low-probes":
        fields = {"sets": (("ivfflat.probes", "10"),)}
        fix = "SET ivfflat.probes = 10;"
    elif rule in ("index-exceeds-memory", "index-mostly-cold"):
        fix = "SELECT pg_prewarm('x');"
    elif rule == "limit-over-ef-search":
        fields = {"sets": (("hnsw.ef_search", "100"),)}
        fix = "SET hnsw.ef_search = 100;"
    elif rule == "filter-underflow":
        fields = {"sets": (("hnsw.ef_search", "400"),)}
        fix = "SET hnsw.ef_search = 400;"
    return Finding(rule, Severity.WARNING, "m", "e", fix, object=obj, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("pair", sorted(SYNTHETIC), ids=lambda p: "+".join(p))
def test_synthetic_pairs_agree(pair: tuple[str, str]) -> None:
    obj = "public.idx"
    out = reconcile([_synthetic(pair[0], obj), _synthetic(pair[1], obj)])
    _check_agree([f for f in out if obj in _objects(f) or f.object == obj])


def test_every_pair_is_classified() -> None:
    assert set(NEVER) <= PAIRS and OBSERVED <= PAIRS
    assert not set(NEVER) & OBSERVED
    assert set(NEVER) | OBSERVED | SYNTHETIC == PAIRS


# Every other pair of registered rules (query rules on one plan node, column rules on one column,
# and across kinds): reconciliation must leave them agreeing too. Rules that declare no
# drops/keeps/rebuilds/sets are passed through unchanged, which this also checks.
ALL_PAIRS = sorted(set(itertools.combinations(sorted(all_rules()), 2)) - PAIRS)


@pytest.mark.parametrize("pair", ALL_PAIRS, ids=lambda p: "+".join(p))
def test_every_other_pair_agrees(pair: tuple[str, str]) -> None:
    obj = "plan: Index Scan using idx on t"
    findings = [_synthetic(pair[0], obj), _synthetic(pair[1], obj)]
    out = reconcile(findings)
    _check_agree(out)
    declared = {r for r in pair if any(f.rule == r and (f.sets or f.drops or f.rebuilds)
                                       for f in findings)}  # fmt: skip
    for before, after in zip(findings, out, strict=True):
        if not declared:  # nothing to reconcile: only the step is added
            assert (after.fix, after.notes, after.sets) == (before.fix, (), before.sets)
