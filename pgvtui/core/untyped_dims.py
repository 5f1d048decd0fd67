"""The real dimensions of vector columns declared without them (``embedding vector`` — LangChain
``PGVector``'s default): ``vector_dims`` over a block sample of each, read-only. Feeds the
``untyped-vector-column`` rule's fix (``RuleContext.extras[EXTRAS_KEY]``)."""

from __future__ import annotations

from psycopg import sql

from pgvtui.core import sql as sqlfiles
from pgvtui.core.models import Inventory
from pgvtui.core.session import Session
from pgvtui.errors import PgvtuiError

EXTRAS_KEY = "untyped_dims"
SAMPLE_ROWS = 1000
TYPES = ("vector", "halfvec")  # vector_dims takes these


async def sample_dims(session: Session, inv: Inventory) -> dict[str, list[tuple[int, int]]]:
    """``schema.table.column`` → ``[(dims, rows in the sample), …]`` for every untyped
    vector/halfvec column; a column the role cannot read (or any error) is left out."""
    out: dict[str, list[tuple[int, int]]] = {}
    schema = session.basics.vector_schema
    if not schema:
        return out
    for col in inv.columns:
        if col.dims is not None or col.type not in TYPES:
            continue
        rows = col.rows_estimate or 0
        percent = 100.0 if rows <= SAMPLE_ROWS * 10 else max(0.01, 100.0 * SAMPLE_ROWS * 10 / rows)
        q = sqlfiles.query("untyped_dims").format(
            column=sql.Identifier(col.column),
            table=sql.Identifier(col.schema, col.table),
            vector_dims=sql.Identifier(schema, "vector_dims"),
        )
        try:
            found: list[tuple[int, int]] = []
            async with session.read_only() as cur:
                for p in dict.fromkeys((percent, 100.0)):
                    await cur.execute(q, {"percent": p})
                    found = [(int(r[0]), int(r[1])) for r in await cur.fetchall()]
                    if found:
                        break
        except PgvtuiError:
            if session.broken:
                raise
            continue
        if found:
            out[col.qualified_name] = found
    return out
