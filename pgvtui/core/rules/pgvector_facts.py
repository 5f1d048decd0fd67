"""pgvector facts the rules share: defaults, operators and their metrics, operator classes,
dimension limits, value sizes, size thresholds (docs/rules.md, pgvector-facts §1, §5). Pure."""

from __future__ import annotations

from pgvtui.core import sizing
from pgvtui.core.session import version_tuple as session_version_tuple

# -- thresholds shared by several rules (documented in docs/rules.md) -------------------------

SMALL_TABLE_ROWS = 10_000
"""Below this many rows (or below SMALL_TABLE_BYTES of heap + TOAST) an exact scan is cheap."""
SMALL_TABLE_BYTES = 1024 * 1024

TOAST_THRESHOLD_BYTES = 2032
"""TOAST_TUPLE_THRESHOLD for 8 kB blocks: rows wider than this get values moved out of line."""

# -- pgvector (reference §1, §5) ---------------------------------------------------------------

PGVECTOR_DEFAULTS: dict[str, str] = {
    "hnsw.ef_search": "40",
    "hnsw.iterative_scan": "off",
    "hnsw.max_scan_tuples": "20000",
    "hnsw.scan_mem_multiplier": "1",
    "ivfflat.probes": "1",
    "ivfflat.iterative_scan": "off",
    "ivfflat.max_probes": "32768",
}

HNSW_EF_SEARCH_MAX = 1000

OPERATOR_METRIC: dict[str, str] = {
    "<->": "l2",
    "<#>": "ip",
    "<=>": "cosine",
    "<+>": "l1",
    "<~>": "hamming",
    "<%>": "jaccard",
}
OPERATOR_NAME: dict[str, str] = {
    "<->": "L2 distance",
    "<#>": "negative inner product",
    "<=>": "cosine distance",
    "<+>": "L1 distance",
    "<~>": "Hamming distance",
    "<%>": "Jaccard distance",
}

INDEX_DIM_LIMITS = sizing.MAX_INDEX_DIMS
SPARSEVEC_NNZ_LIMIT = sizing.SPARSEVEC_MAX_INDEX_NNZ
FIXED_SIZE_TYPES = ("vector", "halfvec", "bit")  # a value's size follows from its dims

_HNSW_METRICS = {
    "vector": ("l2", "ip", "cosine", "l1"),
    "halfvec": ("l2", "ip", "cosine", "l1"),
    "sparsevec": ("l2", "ip", "cosine", "l1"),
    "bit": ("hamming", "jaccard"),
}
_IVFFLAT_METRICS = {
    "vector": ("l2", "ip", "cosine"),
    "halfvec": ("l2", "ip", "cosine"),
    "bit": ("hamming",),
}


def opclass_for(type_name: str, operator: str, method: str = "hnsw") -> str | None:
    """The operator class serving ``operator`` on ``type_name`` for ``method`` (None: none)."""
    metric = OPERATOR_METRIC.get(operator)
    base = base_type(type_name)
    table = _HNSW_METRICS if method == "hnsw" else _IVFFLAT_METRICS
    if metric is None or metric not in table.get(base, ()):
        return None
    return f"{base}_{metric}_ops"


def base_type(type_name: str) -> str:
    """``halfvec(64)`` → ``halfvec``; ``public.vector`` → ``vector``; ``bit varying`` kept."""
    name = type_name.strip().strip('"')
    name = name.split("(", 1)[0].strip()
    return name.rsplit(".", 1)[-1].strip('"')


def value_bytes(type_name: str, dims: int | None) -> int | None:
    """Stored size V of one value (reference §1, :func:`sizing.value_size`); None when dims
    are unknown or the type is sparsevec (size depends on the non-zeros)."""
    base = base_type(type_name)
    if dims is None or base not in FIXED_SIZE_TYPES:
        return None
    return sizing.value_size(base, dims)


version_tuple = session_version_tuple  # one parser for extension versions
