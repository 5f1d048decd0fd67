"""Typed rows: frozen dataclasses for catalog objects, findings and settings.

Rows become these at the data-layer boundary (psycopg ``class_row``, or the inventory's JSON
rows in pgvtui.core.catalog); nothing above the data layer handles tuples or dicts.
``to_json()`` gives the snake_case JSON shape of the CLI.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

VECTOR_TYPES = ("vector", "halfvec", "bit", "sparsevec")
ANN_METHODS = ("hnsw", "ivfflat")

# pgvector's defaults for index options (src/hnsw.h, src/ivfflat.h).
HNSW_DEFAULT_M = 16
HNSW_DEFAULT_EF_CONSTRUCTION = 64
IVFFLAT_DEFAULT_LISTS = 100


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def to_jsonable(obj: Any) -> Any:
    """Dataclasses/enums/tuples → plain JSON values (recursively). Plain values return at once
    and a dataclass's field names are looked up once per class: an inventory of thousands of
    objects is converted in a few milliseconds."""
    cls = type(obj)
    if cls in _PLAIN_TYPES:
        return obj
    names = _FIELD_NAMES.get(cls)
    if names is None and dataclasses.is_dataclass(cls):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    if names is not None:
        return {n: to_jsonable(getattr(obj, n)) for n in names}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    return obj


@dataclass(frozen=True)
class ServerInfo:
    version: str  # e.g. "18.6"
    version_num: int  # server_version_num, e.g. 180006
    version_full: str  # version()
    database: str
    user: str
    is_superuser: bool
    in_recovery: bool
    pgvector_version: str | None  # installed extversion in this database
    pgvector_available: str | None  # newest version the server offers
    extensions: dict[str, dict[str, str | None]] = field(default_factory=dict)
    # {"pg_buffercache": {"installed": "1.6" | None, "available": "1.6" | None}, ...}
    stats_reset: str | None = None  # pg_stat_database.stats_reset for this database


@dataclass(frozen=True)
class ColumnInfo:
    schema: str
    table: str
    column: str
    type: str  # vector | halfvec | bit | sparsevec
    dims: int | None
    nullable: bool
    rows_estimate: int | None  # reltuples (None when never analyzed: reltuples = -1)
    null_frac: float | None
    avg_width: int | None
    storage: str  # plain | external | extended | main
    table_bytes: int
    toast_bytes: int
    total_bytes: int
    table_oid: int = 0
    attnum: int = 0
    n_dead_tup: int | None = None
    n_live_tup: int | None = None
    last_autovacuum: str | None = None
    last_vacuum: str | None = None

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def qualified_name(self) -> str:
        """schema.table.column"""
        return f"{self.schema}.{self.table}.{self.column}"


@dataclass(frozen=True)
class IndexInfo:
    schema: str
    table: str
    name: str
    method: str  # hnsw | ivfflat
    opclass: str
    operator: str | None  # the ordering operator the opclass serves, e.g. "<=>"
    definition: str  # pg_get_indexdef
    key_column: str | None  # plain column name, None for an expression key
    key_expression: str | None  # expression text for expression indexes
    predicate: str | None  # partial index predicate
    m: int | None
    ef_construction: int | None
    lists: int | None
    defaults: tuple[str, ...]  # option names filled in from pgvector's defaults
    valid: bool
    ready: bool
    size_bytes: int
    idx_scan: int | None
    building: bool
    index_oid: int = 0
    table_oid: int = 0
    key_type: str | None = None  # the vector type of the indexed key (column or expression)
    key_dims: int | None = None
    table_rows_estimate: int | None = None
    reloptions: tuple[str, ...] = ()
    last_idx_scan: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True)
class Inventory:
    server: ServerInfo
    settings: dict[str, str | None]
    columns: tuple[ColumnInfo, ...]
    indexes: tuple[IndexInfo, ...]
    statements: int = 0  # statements sent to build it (for the benchmark/budget test)

    @property
    def index_bytes(self) -> int:
        """All ANN indexes together."""
        return sum(i.size_bytes for i in self.indexes)

    # Look-ups by name, indexed once: rules and residency call them per object, and a scan
    # each time is columns × indexes on a big catalog (5,000 × 5,000).
    @cached_property
    def _columns_by_name(self) -> dict[tuple[str, str, str], ColumnInfo]:
        out: dict[tuple[str, str, str], ColumnInfo] = {}
        for c in self.columns:
            out.setdefault((c.schema, c.table, c.column), c)
        return out

    @cached_property
    def _columns_by_table(self) -> dict[tuple[str, str], ColumnInfo]:
        out: dict[tuple[str, str], ColumnInfo] = {}
        for c in self.columns:
            out.setdefault((c.schema, c.table), c)
        return out

    @cached_property
    def _indexes_by_table(self) -> dict[tuple[str, str], list[IndexInfo]]:
        out: dict[tuple[str, str], list[IndexInfo]] = {}
        for i in self.indexes:
            out.setdefault((i.schema, i.table), []).append(i)
        return out

    def heap_bytes(self, index: IndexInfo) -> int | None:
        """Main fork size of the index's table (None when the table has no vector column)."""
        c = self._columns_by_table.get((index.schema, index.table))
        return None if c is None else c.table_bytes

    def to_json(self) -> dict[str, Any]:
        def without_oids(obj: Any) -> dict[str, Any]:
            d: dict[str, Any] = to_jsonable(obj)
            return {k: v for k, v in d.items() if k not in ("table_oid", "index_oid", "attnum")}

        return {
            "server": to_jsonable(self.server),
            "settings": dict(self.settings),
            "columns": [without_oids(c) for c in self.columns],
            "indexes": [without_oids(i) for i in self.indexes],
        }

    def indexes_on(self, schema: str, table: str) -> list[IndexInfo]:
        return list(self._indexes_by_table.get((schema, table), ()))

    def column(self, schema: str, table: str, column: str) -> ColumnInfo | None:
        return self._columns_by_name.get((schema, table, column))
