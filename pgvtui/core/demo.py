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
    rng: np.random.Generator, n: int, dims: int, k: int, _spread: float = 0.0
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

        say("news_archive: partial index as in the seed guide", 0.48)
        n_arch = max(1000, rows // 4)
        arch, _ = _clustered(rng, n_arch, 384, 8, 4.0)
        _copy_rows(
            conn,
            "news_archive",
            ["rowid", "title", "embedding"],
            [
                (i + 1, f"Archived story {i + 1}", None if i % 20 == 0 else _vec_text(arch[i]))
                for i in range(n_arch)
            ],
        )
        conn.execute(
            "CREATE INDEX articles_embedding_index ON news_archive "
            "USING hnsw (embedding halfvec_ip_ops) WHERE embedding IS NOT NULL"
        )

        say("documents: vector(768) with an l2 index", 0.55)
        n_docs = max(1000, rows * 2 // 5)
        docs, _ = _clustered(rng, n_docs, 768, 16, 3.0)
        _copy_rows(
            conn,
            "documents",
            ["id", "title", "embedding"],
            [(i + 1, f"Document {i + 1}", _vec_text(docs[i])) for i in range(n_docs)],
        )
        conn.execute(
            "CREATE INDEX documents_embedding_l2 ON documents USING hnsw (embedding vector_l2_ops)"
        )

        say("images: expression index on ::halfvec(512)", 0.75)
        n_img = max(500, rows // 5)
        imgs, _ = _clustered(rng, n_img, 512, 10, 3.0)
        _copy_rows(
            conn,
            "images",
            ["id", "caption", "embedding"],
            [(i + 1, f"Image {i + 1}", _vec_text(imgs[i])) for i in range(n_img)],
        )
        conn.execute(
            "CREATE INDEX images_embedding_half ON images "
            "USING hnsw ((embedding::halfvec(512)) halfvec_cosine_ops)"
        )

        say("products: IVFFlat with too many lists", 0.82)
        n_prod = max(1000, rows // 4)
        prods, plabels = _clustered(rng, n_prod, 128, 12, 3.0)
        _copy_rows(
            conn,
            "products",
            ["id", "name", "category", "in_stock", "embedding"],
            [
                (
                    i + 1,
                    f"Product {i + 1}",
                    f"cat-{int(plabels[i])}",
                    bool(i % 3),
                    _vec_text(prods[i]),
                )
                for i in range(n_prod)
            ],
        )
        conn.execute(
            "CREATE INDEX products_embedding_ivf ON products "
            "USING ivfflat (embedding vector_cosine_ops) WITH (lists = 200)"
        )

        say("reviews: a duplicate index", 0.88)
        n_rev = max(500, rows * 3 // 20)
        revs, _ = _clustered(rng, n_rev, 128, 6, 3.0)
        _copy_rows(
            conn,
            "reviews",
            ["id", "product_id", "body", "embedding"],
            [
                (i + 1, int(rng.integers(1, n_prod)), f"Review {i + 1}", _vec_text(revs[i]))
                for i in range(n_rev)
            ],
        )
        conn.execute(
            "CREATE INDEX reviews_embedding_idx ON reviews USING hnsw (embedding vector_cosine_ops)"
        )
        conn.execute(
            "CREATE INDEX reviews_embedding_idx1 ON reviews "
            "USING hnsw (embedding vector_cosine_ops)"
        )

        say("chunks: no ANN index", 0.93)
        n_chunks = max(1000, rows // 4)
        chunks, _ = _clustered(rng, n_chunks, 256, 10, 3.0)
        _copy_rows(
            conn,
            "chunks",
            ["id", "doc_id", "content", "embedding"],
            [(i + 1, i // 10 + 1, f"Chunk {i + 1}", _vec_text(chunks[i])) for i in range(n_chunks)],
        )

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
