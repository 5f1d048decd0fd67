"""The golden-path k-NN query for a column, as editable SQL text (pure).

``SELECT id, col <op> (SELECT col FROM t WHERE id = …) AS distance FROM t ORDER BY distance
LIMIT k`` — the operator is the one the column's ANN index serves, and a partial index's
predicate is repeated so the index stays usable. Identifiers are quoted only when they must be.
"""

from __future__ import annotations

import re

from psycopg import sql

from pgvtui.core.models import ColumnInfo, IndexInfo, Inventory

_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")
_RESERVED = frozenset(
    "all analyse analyze and any array as asc asymmetric both case cast check collate column "
    "constraint create current_date current_role current_time current_timestamp current_user "
    "default deferrable desc distinct do else end except false fetch for foreign from grant "
    "group having in initially intersect into lateral leading limit localtime localtimestamp "
    "not null offset on only or order placing primary references returning select session_user "
    "some symmetric table then to trailing true union unique user using variadic when where "
    "window with".split()
)
_LIMIT_RE = re.compile(r"(\blimit\s+)(\d+)(\s*(?:offset\s+\d+\s*)?;?\s*)$", re.IGNORECASE)


def ident(name: str) -> str:
    """An identifier as SQL text, quoted only when needed."""
    if _PLAIN.fullmatch(name) and name not in _RESERVED:
        return name
    return sql.Identifier(name).as_string()


def table_name(col: ColumnInfo) -> str:
    if col.schema == "public":
        return ident(col.table)
    return f"{ident(col.schema)}.{ident(col.table)}"


def best_index(inv: Inventory | None, col: ColumnInfo) -> IndexInfo | None:
    """The index a k-NN query on ``col`` should use: valid, on the bare column, HNSW first."""
    if inv is None:
        return None
    cands = [
        i for i in inv.indexes_on(col.schema, col.table)
        if i.key_column == col.column and i.valid
    ]
    cands.sort(key=lambda i: (i.method != "hnsw", i.predicate is not None, i.name))
    return cands[0] if cands else None


def operator_for(col: ColumnInfo, index: IndexInfo | None) -> str:
    if index is not None and index.operator:
        return index.operator
    return "<~>" if col.type == "bit" else "<->"


def literal_vector(col: ColumnInfo, text: str) -> str:
    """``'[…]'::halfvec(384)`` from pasted text (brackets added when missing)."""
    body = text.strip().strip("'")
    if col.type != "bit" and not body.startswith(("[", "{")):
        body = f"[{body}]"
    cast = f"{col.type}({col.dims})" if col.dims else col.type
    return f"{sql.Literal(body).as_string()}::{cast}"


def query_vector(col: ColumnInfo, key: str | None, mode: str, value: str) -> str:
    """The query-vector expression: a scalar subquery on a row, or a literal."""
    if mode == "literal" and value:
        return literal_vector(col, value)
    c, t = ident(col.column), table_name(col)
    if key:
        v = value if re.fullmatch(r"-?\d+", value or "") else sql.Literal(value or "1").as_string()
        return f"(SELECT {c} FROM {t} WHERE {ident(key)} = {v})"
    offset = int(value) if (value or "").isdigit() else 0
    return f"(SELECT {c} FROM {t} WHERE {c} IS NOT NULL OFFSET {offset} LIMIT 1)"


def golden_sql(
    col: ColumnInfo,
    index: IndexInfo | None,
    key: str | None,
    k: int,
    mode: str = "id",
    value: str = "1",
) -> str:
    """The healthy k-NN query on ``col``."""
    op = operator_for(col, index)
    head = f"{ident(key)}, " if key else ""
    lines = [
        f"SELECT {head}{ident(col.column)} {op} {query_vector(col, key, mode, value)} AS distance",
        f"FROM {table_name(col)}",
    ]
    if index is not None and index.predicate:
        lines.append(f"WHERE {index.predicate}")
    lines += ["ORDER BY distance", f"LIMIT {int(k)}"]
    return "\n".join(lines)


def with_limit(text: str, k: int) -> str | None:
    """``text`` with its final ``LIMIT n`` replaced by ``k``; None when it has none."""
    m = _LIMIT_RE.search(text.rstrip())
    if not m:
        return None
    start, end = m.span(2)
    return text[:start] + str(int(k)) + text[end:]
