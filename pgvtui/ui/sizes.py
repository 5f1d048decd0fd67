"""Memory limits to compare index bytes against: shared_buffers, effective_cache_size, RAM."""

from __future__ import annotations

from pgvtui.core.models import (
    HNSW_DEFAULT_EF_CONSTRUCTION,
    HNSW_DEFAULT_M,
    IVFFLAT_DEFAULT_LISTS,
    IndexInfo,
)
from pgvtui.errors import PgvtuiError
from pgvtui.render.fmt import human_bytes, human_count

# psycopg (conninfo) and numpy (sizing, residency) load lazily: not needed for the first paint.


def setting_bytes(value: str | None) -> int | None:
    """A PostgreSQL memory setting as shown by current_setting ('128MB', '8kB') → bytes."""
    from pgvtui.core.sizing import parse_pg_size

    return parse_pg_size(value)


def server_is_local(conninfo: str) -> bool:
    """True when the server runs on this machine (socket or loopback), so RAM is this host's."""
    from pgvtui.core import conninfo as ci
    from pgvtui.core.residency import is_local_host

    try:
        host = ci.parse(conninfo).get("host")
    except PgvtuiError:
        return False
    return is_local_host(host)


def memory_limits(
    settings: dict[str, str | None], conninfo: str
) -> list[tuple[str, int | None, str]]:
    """(label, bytes, note) for shared_buffers, effective_cache_size and RAM (local servers)."""
    out: list[tuple[str, int | None, str]] = [
        ("shared_buffers", setting_bytes(settings.get("shared_buffers")), ""),
        ("effective_cache_size", setting_bytes(settings.get("effective_cache_size")), ""),
    ]
    if server_is_local(conninfo):
        from pgvtui.core.residency import local_ram_bytes

        ram = local_ram_bytes()
        if ram:
            out.append(("RAM", ram, "this machine"))
    return out


def estimate_text(index: IndexInfo) -> str | None:
    """'estimate 40 MB, +2 %' from the sizing model, or None when it cannot say."""
    from pgvtui.core import sizing

    if not index.key_type or not index.key_dims or index.table_rows_estimate is None:
        return None
    spec = sizing.IndexSpec(
        method=index.method,
        type=index.key_type,
        dims=index.key_dims,
        rows=index.table_rows_estimate,
        m=index.m or HNSW_DEFAULT_M,
        ef_construction=index.ef_construction or HNSW_DEFAULT_EF_CONSTRUCTION,
        lists=index.lists or IVFFLAT_DEFAULT_LISTS,
    )
    try:
        est = sizing.estimate_size(spec)
    except (sizing.SizingError, ValueError):
        return None
    if not est.bytes:
        return f"model: {human_bytes(est.bytes)}"
    diff = 100 * (index.size_bytes - est.bytes) / est.bytes
    return f"model {human_bytes(est.bytes)} for {human_count(spec.rows)} rows, {diff:+.0f} %"
