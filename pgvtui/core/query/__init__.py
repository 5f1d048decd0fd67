"""Reading SQL with PostgreSQL's own parser.

- :mod:`.parser` — the one SQL reader: libpg_query's scanner and parser (through pglast), with
  size caps, an iterative tree walk and the psycopg placeholder mapping.
- :mod:`.shape` — the frozen model the rules import (:class:`QueryShape` and its parts).
- :mod:`.spans` — where parse-tree nodes sit in the text (for fixes that splice it).
- :mod:`.analysis` — :func:`analyze_query`: a statement's parse tree → :class:`QueryShape`.
"""

from pgvtui.core.query.analysis import analyze_query
from pgvtui.core.query.parser import SqlError
from pgvtui.core.query.shape import (
    Cast,
    ColumnSide,
    Cte,
    DistanceUse,
    FromItem,
    KnnTarget,
    OrderItem,
    QueryShape,
    QuerySide,
    SelectItem,
    TableRef,
)

__all__ = [
    "Cast",
    "ColumnSide",
    "Cte",
    "DistanceUse",
    "FromItem",
    "KnnTarget",
    "OrderItem",
    "QueryShape",
    "QuerySide",
    "SelectItem",
    "SqlError",
    "TableRef",
    "analyze_query",
]
