"""The golden-path k-NN query for a column, as editable SQL text (pure).

``SELECT id, col <op> (SELECT col FROM t WHERE id = …) AS distance FROM t ORDER BY distance
LIMIT k`` — the operator is the one the column's ANN index serves, and a partial index's
predicate is repeated so the index stays usable. Identifiers are quoted only when they must be.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pgvtui.core.models import ColumnInfo, IndexInfo, Inventory
from pgvtui.core.sqltext import is_bare
from pgvtui.errors import UsageError

if TYPE_CHECKING:
    from psycopg import sql

_LIMIT_RE = re.compile(r"(\blimit\s+)(\d+)(\s*(?:offset\s+\d+\s*)?;?\s*)$", re.IGNORECASE)


def _id(name: str) -> sql.Composable:
    """An identifier, quoted only when it must be (a validated plain name stays bare)."""
    from psycopg import sql

    if is_bare(name):
        return sql.SQL(name)  # validated: [a-z_][a-z0-9_$]*, not reserved
    return sql.Identifier(name)


def _table(col: ColumnInfo) -> sql.Composable:
    from psycopg import sql

    if col.schema == "public":
        return _id(col.table)
    return sql.SQL(".").join([_id(col.schema), _id(col.table)])


def best_index(inv: Inventory | None, col: ColumnInfo) -> IndexInfo | None:
    """The index a k-NN query on ``col`` should use: valid, on the bare column, HNSW first."""
    if inv is None:
        return None
    cands = [
        i for i in inv.indexes_on(col.schema, col.table) if i.key_column == col.column and i.valid
    ]
    cands.sort(key=lambda i: (i.method != "hnsw", i.predicate is not None, i.name))
    return cands[0] if cands else None


def best_column(inv: Inventory) -> ColumnInfo:
    """The column to start with: the first one with a valid ANN index, else the first."""
    for col in inv.columns:
        if best_index(inv, col) is not None:
            return col
    return inv.columns[0]


def operator_for(col: ColumnInfo, index: IndexInfo | None) -> str:
    if index is not None and index.operator:
        return index.operator
    return "<~>" if col.type == "bit" else "<->"


_ROW_ID = re.compile(r"-?[0-9]{1,18}")  # an int8 key; longer digit strings stay text
_OFFSET = re.compile(r"[0-9]{1,9}")


def _no_nul(text: str, what: str) -> str:
    if "\x00" in text:
        raise UsageError(f"the {what} contains a NUL byte", title="Bad query vector")
    return text


def _vector_literal(col: ColumnInfo, text: str) -> sql.Composable:
    from psycopg import sql

    body = _no_nul(text, "pasted vector").strip().strip("'")
    if col.type != "bit" and not body.startswith(("[", "{")):
        body = "[" + body + "]"
    cast = (
        sql.SQL("{}({})").format(sql.SQL(col.type), sql.Literal(col.dims))
        if col.dims
        else (sql.SQL(col.type))
    )
    return sql.SQL("{}::{}").format(sql.Literal(body), cast)


def literal_vector(col: ColumnInfo, text: str) -> str:
    """``'[…]'::halfvec(384)`` from pasted text (brackets added when missing)."""
    return _vector_literal(col, text).as_string()


def _query_vector(col: ColumnInfo, key: str | None, mode: str, value: str) -> sql.Composable:
    from psycopg import sql

    if mode == "literal" and value:
        return _vector_literal(col, value)
    c, t = _id(col.column), _table(col)
    value = _no_nul(value or "", "row id")
    if key:
        # ASCII digits only (str.isdigit accepts '²', which int() rejects) and at most int8's
        # width; anything else is compared as text and the server answers with a typed error.
        v: object = int(value) if _ROW_ID.fullmatch(value) else (value or "1")
        return sql.SQL("(SELECT {} FROM {} WHERE {} = {})").format(c, t, _id(key), sql.Literal(v))
    offset = int(value) if _OFFSET.fullmatch(value) else 0
    return sql.SQL("(SELECT {} FROM {} WHERE {} IS NOT NULL OFFSET {} LIMIT 1)").format(
        c, t, c, sql.Literal(offset)
    )


def golden_sql(
    col: ColumnInfo,
    index: IndexInfo | None,
    key: str | None,
    k: int,
    mode: str = "id",
    value: str = "1",
) -> str:
    """The healthy k-NN query on ``col``."""
    from psycopg import sql

    op = sql.SQL(operator_for(col, index))  # from pg_amop
    head = sql.SQL("{}, ").format(_id(key)) if key else sql.SQL("")
    lines: list[sql.Composable] = [
        sql.SQL("SELECT {}{} {} {} AS distance").format(
            head, _id(col.column), op, _query_vector(col, key, mode, value)
        ),
        sql.SQL("FROM {}").format(_table(col)),
    ]
    if index is not None and index.predicate:
        # pg_get_expr output: the server's own rendering of the predicate
        lines.append(sql.SQL("WHERE ") + sql.SQL(index.predicate))
    lines += [sql.SQL("ORDER BY distance"), sql.SQL("LIMIT {}").format(sql.Literal(int(k)))]
    return sql.SQL("\n").join(lines).as_string()


def limit_of(text: str) -> int | None:
    """The number in ``text``'s final ``LIMIT n``; None when it has none."""
    m = _LIMIT_RE.search(text.rstrip())
    return int(m.group(2)) if m else None


def with_limit(text: str, k: int) -> str | None:
    """``text`` with its final ``LIMIT n`` replaced by ``k``; None when it has none."""
    m = _LIMIT_RE.search(text.rstrip())
    if not m:
        return None
    start, end = m.span(2)
    return text[:start] + str(int(k)) + text[end:]
