"""Reading SQL: PostgreSQL's parser (:mod:`.parser`) and the shape of a vector query
(:mod:`.analysis`). The rules import the shape model from here."""

from pgvtui.core.query.analysis import (
    Cte,
    DistanceUse,
    FromItem,
    Group,
    LexError,
    OrderItem,
    QueryShape,
    TableRef,
    Token,
    analyze_query,
    build_tree,
    qualified_name,
    split_statements,
    tokenize,
)

__all__ = [
    "Cte",
    "DistanceUse",
    "FromItem",
    "Group",
    "LexError",
    "OrderItem",
    "QueryShape",
    "TableRef",
    "Token",
    "analyze_query",
    "build_tree",
    "qualified_name",
    "split_statements",
    "tokenize",
]
