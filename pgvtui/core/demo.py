"""``pgvtui demo``: an embedded PostgreSQL + pgvector with a news-articles database modelled on
the seed guides, plus the flawed objects an operator meets in real life.

Objects (all in database ``pgvtui_demo``):

- ``articles`` (20k rows, halfvec(384), embeddings around per-topic centres): the golden path —
  HNSW ``halfvec_cosine_ops`` m=16, ef_construction=64. One topic (``obituaries``) is rare (1 %)
  so filtered searches under-fill without iterative scan.
- ``news_archive``: the seed guide's partial index ``USING hnsw (embedding halfvec_ip_ops)
  WHERE embedding IS NOT NULL``; queries without that predicate cannot use it.
- ``documents`` (vector(768)): an l2 HNSW index while the application queries cosine; it is also
  larger than the demo server's shared_buffers, TOASTed and full precision.
- ``images`` (vector(512)): an expression index ``((embedding::halfvec(512)))`` that queries
  on the bare column do not use.
- ``products`` (vector(128)): IVFFlat with far too many lists for its rows; probes = 1.
- ``reviews`` (vector(128)): two identical HNSW indexes.
- ``chunks`` (vector(256)): no ANN index at all.
- ``saved_queries``: stored query vectors, for the join-vs-scalar-subquery example.

The server runs with ``shared_buffers = 24MB`` (``documents``' index does not fit) and
``maintenance_work_mem = 16MB`` (HNSW rebuilds of the big tables would spill).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
from psycopg import sql

from pgvtui.core.embedded import EmbeddedServer
from pgvtui.errors import DemoError

DEMO_DB = "pgvtui_demo"
DEMO_SETTINGS = {
    "shared_buffers": "24MB",
    "maintenance_work_mem": "16MB",
    "max_parallel_maintenance_workers": "2",
}
SCHEMA_VERSION = 5  # bump when the demo schema changes: an old data dir is rebuilt

TOPICS = (
    ("politics", 14),
    ("business", 13),
    ("technology", 13),
    ("sports", 12),
    ("science", 10),
    ("health", 9),
    ("culture", 8),
    ("travel", 7),
    ("climate", 6),
    ("education", 5),
    ("food", 2),
    ("obituaries", 1),
)
SOURCES = ("wire", "herald", "gazette", "tribune", "chronicle", "observer")

Progress = Callable[[str, float], None]  # (step description, fraction done 0..1)


@dataclass(frozen=True)
class DemoInfo:
    server: EmbeddedServer
    dsn: str
    created: bool  # built on this run


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("pgvtui")) / "demo"


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = rows / norms
    return out


def _embed(rng: np.random.Generator, labels: np.ndarray, k: int, dims: int) -> np.ndarray:
    """Unit vectors with the structure of real embeddings: a topic centre, one of 16 sub-topic
    directions within it, and a little noise — so nearest neighbours are meaningful and an HNSW
    index reaches the recall users see in production (not the worst case of random vectors)."""
    centres = _unit(rng.standard_normal((k, dims)))
    subs = _unit(rng.standard_normal((k * 16, dims)))
    sub_idx = labels * 16 + rng.integers(0, 16, size=len(labels))
    noise = rng.standard_normal((len(labels), dims)) / np.sqrt(dims)
    return _unit(centres[labels] + 0.7 * subs[sub_idx] + 0.8 * noise)


def _clustered(
    rng: np.random.Generator, n: int, dims: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, k, size=n)
    return _embed(rng, labels, k, dims), labels


def _vec_text(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.5f}" for x in v) + "]"


def _copy_rows(
    conn: psycopg.Connection[tuple[object, ...]],
    table: str,
    columns: list[str],
    rows: list[tuple[object, ...]],
) -> None:
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with conn.cursor() as cur, cur.copy(stmt) as copy:
        for row in rows:
            copy.write_row(row)


@dataclass(frozen=True)
class _TableSpec:
    """One clustered-embedding table of the demo: its rows and the (flawed) indexes on it."""

    step: str  # progress message
    fraction: float  # progress before this table
    table: str
    n: int
    dims: int
    k: int  # topic clusters
    columns: tuple[str, ...]
    row: Callable[[int, str, int], tuple[object, ...]]  # (index, vector text, cluster label)
    indexes: tuple[str, ...] = ()


def _side_tables(rows: int, n_prod: int, rng: np.random.Generator) -> list[_TableSpec]:
    """The tables after ``articles``, in build order (the order fixes the RNG stream)."""
    return [
        _TableSpec(
            "news_archive: partial index as in the seed guide",
            0.48,
            "news_archive",
            max(1000, rows // 4),
            384,
            8,
            ("rowid", "title", "embedding"),
            lambda i, v, _l: (i + 1, f"Archived story {i + 1}", None if i % 20 == 0 else v),
            (
                "CREATE INDEX articles_embedding_index ON news_archive "
                "USING hnsw (embedding halfvec_ip_ops) WHERE embedding IS NOT NULL",
            ),
        ),
        _TableSpec(
            "documents: vector(768) with an l2 index",
            0.55,
            "documents",
            max(1000, rows * 2 // 5),
            768,
            16,
            ("id", "title", "embedding"),
            lambda i, v, _l: (i + 1, f"Document {i + 1}", v),
            (
                "CREATE INDEX documents_embedding_l2 ON documents "
                "USING hnsw (embedding vector_l2_ops)",
            ),
        ),
        _TableSpec(
            "images: expression index on ::halfvec(512)",
            0.75,
            "images",
            max(500, rows // 5),
            512,
            10,
            ("id", "caption", "embedding"),
            lambda i, v, _l: (i + 1, f"Image {i + 1}", v),
            (
                "CREATE INDEX images_embedding_half ON images "
                "USING hnsw ((embedding::halfvec(512)) halfvec_cosine_ops)",
            ),
        ),
        _TableSpec(
            "products: IVFFlat with too many lists",
            0.82,
            "products",
            n_prod,
            128,
            12,
            ("id", "name", "category", "in_stock", "embedding"),
            lambda i, v, label: (i + 1, f"Product {i + 1}", f"cat-{label}", bool(i % 3), v),
            (
                "CREATE INDEX products_embedding_ivf ON products "
                "USING ivfflat (embedding vector_cosine_ops) WITH (lists = 200)",
            ),
        ),
        _TableSpec(
            "reviews: a duplicate index",
            0.88,
            "reviews",
            max(500, rows * 3 // 20),
            128,
            6,
            ("id", "product_id", "body", "embedding"),
            # draws from the RNG per row, after the embeddings (as the data always has)
            lambda i, v, _l: (i + 1, int(rng.integers(1, n_prod)), f"Review {i + 1}", v),
            (
                "CREATE INDEX reviews_embedding_idx ON reviews "
                "USING hnsw (embedding vector_cosine_ops)",
                "CREATE INDEX reviews_embedding_idx1 ON reviews "
                "USING hnsw (embedding vector_cosine_ops)",
            ),
        ),
        _TableSpec(
            "chunks: no ANN index",
            0.93,
            "chunks",
            max(1000, rows // 4),
            256,
            10,
            ("id", "doc_id", "content", "embedding"),
            lambda i, v, _l: (i + 1, i // 10 + 1, f"Chunk {i + 1}", v),
        ),
    ]


def build_demo(dsn: str, rows: int = 20_000, progress: Progress | None = None) -> None:
    """Create the demo objects in an empty database (idempotent: drops and recreates them)."""
    say = progress or (lambda _s, _f: None)
    rng = np.random.default_rng(20251122)
    with psycopg.connect(dsn, autocommit=True) as conn:
        say("extensions", 0.01)
        for ext in ("vector", "pg_buffercache", "pg_prewarm", "pg_stat_statements"):
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext)))
        conn.execute(sql.SQL(_load_schema()))  # type: ignore[arg-type,unused-ignore]
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")

        say("articles: generating embeddings", 0.03)
        names = [t for t, _ in TOPICS]
        weights = np.array([w for _, w in TOPICS], dtype=float)
        weights /= weights.sum()
        topic_idx = rng.choice(len(TOPICS), size=rows, p=weights)
        emb = _embed(rng, topic_idx, len(TOPICS), 384)
        days = rng.integers(0, 3 * 365, size=rows)
        srcs = rng.integers(0, len(SOURCES), size=rows)
        art_rows: list[tuple[object, ...]] = [
            (
                i + 1,
                f"2023-01-01T00:00:00Z +{int(days[i])} days",
                SOURCES[int(srcs[i])],
                names[int(topic_idx[i])],
                f"{names[int(topic_idx[i])].title()} story #{i + 1}",
                f"Body of article {i + 1} about {names[int(topic_idx[i])]}.",
                _vec_text(emb[i]),
            )
            for i in range(rows)
        ]
        say("articles: loading rows", 0.10)
        _copy_rows(
            conn,
            "articles_load",
            ["id", "published", "source", "topic", "title", "body", "embedding"],
            art_rows,
        )
        conn.execute(
            "INSERT INTO articles (id, published_at, source, topic, title, body, embedding) "
            "SELECT id, '2023-01-01'::timestamptz + (split_part(published, '+', 2))::interval, "
            "source, topic, title, body, embedding::halfvec(384) FROM articles_load"
        )
        conn.execute("DROP TABLE articles_load")
        say("articles: building HNSW (halfvec_cosine_ops)", 0.18)
        conn.execute(
            "CREATE INDEX articles_embedding_idx ON articles "
            "USING hnsw (embedding halfvec_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )

        say("saved_queries", 0.45)
        q_ids = rng.choice(rows, size=50, replace=False)
        _copy_rows(
            conn,
            "saved_queries",
            ["id", "label", "embedding"],
            [
                (j + 1, f"query like article {int(q_ids[j]) + 1}", _vec_text(emb[int(q_ids[j])]))
                for j in range(50)
            ],
        )

        n_prod = max(1000, rows // 4)
        for spec in _side_tables(rows, n_prod, rng):
            say(spec.step, spec.fraction)
            vecs, labels = _clustered(rng, spec.n, spec.dims, spec.k)
            _copy_rows(
                conn,
                spec.table,
                list(spec.columns),
                [spec.row(i, _vec_text(vecs[i]), int(labels[i])) for i in range(spec.n)],
            )
            for ddl in spec.indexes:
                conn.execute(ddl)

        say("analyze", 0.97)
        conn.execute("VACUUM ANALYZE")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS pgvtui_demo_meta (key text PRIMARY KEY, value text)"
        )
        conn.execute(
            "INSERT INTO pgvtui_demo_meta VALUES ('schema_version', %s), ('rows', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(SCHEMA_VERSION), str(rows)),
        )
        say("done", 1.0)


def _load_schema() -> str:
    from importlib import resources

    return resources.files("pgvtui.core").joinpath("demo_schema.sql").read_text(encoding="utf-8")


def _demo_ready(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT value FROM pgvtui_demo_meta WHERE key = 'schema_version'"
            ).fetchone()
    except psycopg.Error:
        return False
    return row is not None and row[0] == str(SCHEMA_VERSION)


def start_demo(
    data_dir: Path | None = None,
    *,
    rows: int = 20_000,
    reset: bool = False,
    progress: Progress | None = None,
) -> DemoInfo:
    """Start (and on first use build) the demo server; returns its conninfo."""
    data_dir = data_dir or default_data_dir()
    state_file = data_dir / "state.json"
    if reset:
        EmbeddedServer(data_dir).destroy()
    port = 0
    if state_file.exists():
        try:
            port = int(json.loads(state_file.read_text())["port"])
        except (ValueError, KeyError, OSError):
            port = 0
    server = EmbeddedServer(data_dir, port=port, settings=DEMO_SETTINGS)
    try:
        server.start()
    except DemoError:
        if not port:
            raise
        server = EmbeddedServer(data_dir, port=0, settings=DEMO_SETTINGS)
        server.start()
    data_dir.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({"port": server.port}))
    dsn = server.dsn(DEMO_DB)
    created = False
    if not _demo_ready(dsn):
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DEMO_DB))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DEMO_DB)))
        build_demo(dsn, rows=rows, progress=progress)
        created = True
    return DemoInfo(server=server, dsn=dsn, created=created)
