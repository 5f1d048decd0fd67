"""Databases built the way real vector-store clients build them, for the workload tests.

Each builder rebuilds one library's documented schema (DDL shape, names, column types, the
indexes it creates) and :func:`run_queries` sends that library's query shapes **with
parameters** (server-side binding, as the drivers do; Django and Haystack put values in the
text, and pg_stat_statements normalises those constants to ``$n``), so pg_stat_statements holds
what an operator of such an application sees. No library is imported: only the shapes.

Shapes, from each project's public source / docs:

- LangChain ``PGVector`` (langchain_postgres): ``langchain_pg_collection`` +
  ``langchain_pg_embedding`` with ``embedding VECTOR`` *without dimensions* (the default when no
  ``embedding_length`` is given), a GIN index on ``cmetadata jsonb_path_ops``; SQLAlchemy's
  query joins the collection, filters ``collection_id = $2::UUID``, ``ORDER BY distance ASC
  LIMIT $3::INTEGER``.
- LangChain ``PGVectorStore`` (langchain_postgres v2): ``langchain_id UUID`` primary key,
  ``embedding vector(N) NOT NULL``, ``langchain_metadata JSON``; the distance function in the
  select list and the operator in ORDER BY, each with its own copy of the query vector.
- LlamaIndex ``PGVectorStore``: table ``data_<name>`` (``id bigserial``, ``text``,
  ``metadata_ jsonb``, ``node_id``, ``embedding vector(N)``, generated ``text_search_tsv``) with
  an HNSW index; ``ORDER BY distance asc LIMIT $2``, optionally a ``metadata_->>…`` filter.
- Haystack ``PgvectorDocumentStore``: ``haystack_documents`` (``id VARCHAR(128)``,
  ``embedding VECTOR(N)``, ``content``, ``blob_*``, ``meta JSONB``) + an HNSW index; the query
  vector is written into the text, ``1 - (embedding <=> '…') AS score … ORDER BY score DESC``.
- Django + pgvector-python: ``app_item`` with ``VectorField(dimensions=N)`` and an
  ``IvfflatIndex(lists=100)`` created by the migration on the empty table; the ORM's
  ``order_by(L2Distance(...))[:5]``.
- Supabase ``match_documents``: ``documents`` + LangChain's plpgsql ``match_documents(
  query_embedding, match_count int DEFAULT null, filter jsonb DEFAULT '{}')`` (``RETURN QUERY
  … LIMIT match_count``) and the ``LANGUAGE sql STABLE`` variant with a threshold, called as
  PostgREST calls an RPC.

Data is clustered (a few centres plus noise), like embeddings of a handful of topics.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

DIMS = 32
CLUSTERS = 8


def vec_text(v: np.ndarray[Any, Any]) -> str:
    return "[" + ",".join(f"{x:.5f}" for x in v.tolist()) + "]"


class Clustered:
    """Clustered vectors: CLUSTERS centres, rows = centre + noise; ``cluster(i)`` is the label."""

    def __init__(self, dims: int = DIMS, seed: int = 7, offset: float = 0.0) -> None:
        """``offset`` moves every centre away from the origin (scaled down around it): real
        embedding models' vectors sit in a narrow cone, not around zero."""
        self.dims = dims
        self.rng = np.random.default_rng(seed)
        self.centres = self.rng.normal(size=(CLUSTERS, dims))
        if offset:
            self.centres = self.centres * 0.3 + offset

    def rows(self, n: int) -> list[tuple[int, str]]:
        labels = self.rng.integers(0, CLUSTERS, size=n)
        noise = self.rng.normal(scale=0.15, size=(n, self.dims))
        data = self.centres[labels] + noise
        return [(int(label), vec_text(v)) for label, v in zip(labels, data, strict=True)]

    def query(self) -> str:
        """A query vector near one of the centres (not a stored row)."""
        c = self.centres[int(self.rng.integers(0, CLUSTERS))]
        return vec_text(c + self.rng.normal(scale=0.2, size=self.dims))


@dataclass
class Client:
    """One library's database: where its vectors live and the statements it sends."""

    name: str
    schema: str
    table: str
    column: str
    # each call runs one of the library's statements once, with fresh values
    statements: list[Callable[[psycopg.Connection[Any], Clustered], None]] = field(
        default_factory=list
    )
    functions: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.table}.{self.column}"


def _copy(conn: psycopg.Connection[Any], stmt: sql.Composable, rows: list[tuple[Any, ...]]) -> None:
    with conn.cursor() as cur, cur.copy(stmt) as cp:
        for r in rows:
            cp.write_row(r)


# -- LangChain PGVector --------------------------------------------------------------------------


def langchain_pgvector(conn: psycopg.Connection[Any], data: Clustered, rows: int) -> Client:
    conn.execute(
        "CREATE TABLE langchain_pg_collection ("
        " uuid UUID NOT NULL PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, cmetadata JSON)"
    )
    conn.execute(
        "CREATE TABLE langchain_pg_embedding ("
        " id VARCHAR NOT NULL PRIMARY KEY,"
        " collection_id UUID REFERENCES langchain_pg_collection (uuid) ON DELETE CASCADE,"
        " embedding VECTOR, document VARCHAR, cmetadata JSONB)"
    )
    conn.execute(
        "CREATE INDEX ix_cmetadata_gin ON langchain_pg_embedding"
        " USING gin (cmetadata jsonb_path_ops)"
    )
    collections = [uuid.uuid4(), uuid.uuid4()]
    for i, c in enumerate(collections):
        conn.execute(
            "INSERT INTO langchain_pg_collection VALUES (%s, %s, %s)", (c, f"docs{i}", "{}")
        )
    body = [
        (str(uuid.uuid4()), collections[i % 2], v, f"doc {i}", f'{{"topic": {label}}}')
        for i, (label, v) in enumerate(data.rows(rows))
    ]
    _copy(
        conn,
        sql.SQL(
            "COPY langchain_pg_embedding (id, collection_id, embedding, document, cmetadata)"
            " FROM STDIN"
        ),
        body,
    )
    conn.execute("ANALYZE langchain_pg_embedding")

    def search(c: psycopg.Connection[Any], d: Clustered) -> None:
        c.execute(
            "SELECT langchain_pg_embedding.id AS langchain_pg_embedding_id,"
            " langchain_pg_embedding.collection_id AS langchain_pg_embedding_collection_id,"
            " langchain_pg_embedding.embedding AS langchain_pg_embedding_embedding,"
            " langchain_pg_embedding.document AS langchain_pg_embedding_document,"
            " langchain_pg_embedding.cmetadata AS langchain_pg_embedding_cmetadata,"
            " langchain_pg_embedding.embedding <=> %s AS distance"
            " FROM langchain_pg_embedding JOIN langchain_pg_collection"
            " ON langchain_pg_embedding.collection_id = langchain_pg_collection.uuid"
            " WHERE langchain_pg_embedding.collection_id = %s::UUID"
            " ORDER BY distance ASC LIMIT %s::INTEGER",
            (d.query(), collections[0], 4),
        ).fetchall()

    return Client("langchain-pgvector", "public", "langchain_pg_embedding", "embedding", [search])


# -- LangChain PGVectorStore (v2) ----------------------------------------------------------------


def langchain_pgvectorstore(conn: psycopg.Connection[Any], data: Clustered, rows: int) -> Client:
    conn.execute(
        'CREATE TABLE "public"."lc_docs" (langchain_id UUID PRIMARY KEY, content TEXT NOT NULL,'
        f" embedding vector({data.dims}) NOT NULL, langchain_metadata JSON)"
    )
    body = [
        (uuid.uuid4(), f"chunk {i}", v, f'{{"topic": {label}}}')
        for i, (label, v) in enumerate(data.rows(rows))
    ]
    _copy(
        conn,
        sql.SQL("COPY lc_docs (langchain_id, content, embedding, langchain_metadata) FROM STDIN"),
        body,
    )
    conn.execute("ANALYZE lc_docs")

    def search(c: psycopg.Connection[Any], d: Clustered) -> None:
        q = d.query()
        c.execute(
            "SELECT langchain_id, content, embedding, langchain_metadata,"
            " cosine_distance(embedding, %s::vector) as distance"
            ' FROM "public"."lc_docs" ORDER BY embedding <=> %s::vector LIMIT %s;',
            (q, q, 4),
        ).fetchall()

    return Client("langchain-pgvectorstore", "public", "lc_docs", "embedding", [search])


# -- LlamaIndex PGVectorStore --------------------------------------------------------------------


def llamaindex(conn: psycopg.Connection[Any], data: Clustered, rows: int) -> Client:
    conn.execute(
        "CREATE TABLE public.data_llama (id BIGSERIAL PRIMARY KEY, text VARCHAR NOT NULL,"
        f" metadata_ JSONB, node_id VARCHAR, embedding VECTOR({data.dims}),"
        " text_search_tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED)"
    )
    body = [
        (f"node text {i}", f'{{"topic": "t{label}"}}', str(uuid.uuid4()), v)
        for i, (label, v) in enumerate(data.rows(rows))
    ]
    _copy(
        conn,
        sql.SQL("COPY public.data_llama (text, metadata_, node_id, embedding) FROM STDIN"),
        body,
    )
    conn.execute(
        "CREATE INDEX data_llama_embedding_idx ON public.data_llama"
        " USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
    )
    conn.execute("ANALYZE public.data_llama")

    def search(c: psycopg.Connection[Any], d: Clustered) -> None:
        c.execute(
            "SELECT data_llama.id, data_llama.node_id, data_llama.text, data_llama.metadata_,"
            " data_llama.embedding <=> %s AS distance FROM public.data_llama"
            " ORDER BY distance asc LIMIT %s",
            (d.query(), 2),
        ).fetchall()

    def filtered(c: psycopg.Connection[Any], d: Clustered) -> None:
        c.execute(
            "SELECT data_llama.id, data_llama.node_id, data_llama.text, data_llama.metadata_,"
            " data_llama.embedding <=> %s AS distance FROM public.data_llama"
            " WHERE data_llama.metadata_ ->> 'topic' = %s ORDER BY distance asc LIMIT %s",
            (d.query(), "t3", 2),
        ).fetchall()

    return Client("llamaindex", "public", "data_llama", "embedding", [search, filtered])


# -- Haystack PgvectorDocumentStore --------------------------------------------------------------


def haystack(conn: psycopg.Connection[Any], data: Clustered, rows: int) -> Client:
    conn.execute(
        "CREATE TABLE public.haystack_documents (id VARCHAR(128) PRIMARY KEY,"
        f" embedding VECTOR({data.dims}), content TEXT, blob_data BYTEA, blob_meta JSONB,"
        " blob_mime_type VARCHAR(255), meta JSONB)"
    )
    body = [
        (uuid.uuid4().hex, v, f"content {i}", f'{{"category": "c{label}"}}')
        for i, (label, v) in enumerate(data.rows(rows))
    ]
    _copy(
        conn,
        sql.SQL("COPY public.haystack_documents (id, embedding, content, meta) FROM STDIN"),
        body,
    )
    conn.execute(
        "CREATE INDEX haystack_hnsw_index ON public.haystack_documents"
        " USING hnsw (embedding vector_cosine_ops)"
    )
    conn.execute("ANALYZE public.haystack_documents")

    def search(c: psycopg.Connection[Any], d: Clustered) -> None:
        # Haystack writes the vector into the text (a literal) and the filter values as
        # parameters; pg_stat_statements normalises the literal and the LIMIT to $n.
        stmt = sql.SQL(
            'SELECT *, 1 - (embedding <=> {q}) AS score FROM "public"."haystack_documents"'
            " WHERE embedding IS NOT NULL AND (meta->>'category' = %s) ORDER BY score DESC"
            " LIMIT 10"
        ).format(q=sql.Literal(d.query()))
        c.execute(stmt, ("c2",)).fetchall()

    return Client("haystack", "public", "haystack_documents", "embedding", [search])


# -- Django + pgvector-python --------------------------------------------------------------------


def django(conn: psycopg.Connection[Any], data: Clustered, rows: int) -> Client:
    # migration 0001: the model, then the IvfflatIndex — on an empty table
    conn.execute(
        'CREATE TABLE "app_item" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS'
        f' IDENTITY, "embedding" vector({data.dims}) NOT NULL, "category" varchar(20) NOT NULL)'
    )
    conn.execute(
        'CREATE INDEX "item_embedding_ivf" ON "app_item" USING ivfflat ("embedding"'
        " vector_l2_ops) WITH (lists = 100)"
    )
    body = [(v, f"cat{label}") for label, v in data.rows(rows)]
    _copy(conn, sql.SQL('COPY "app_item" ("embedding", "category") FROM STDIN'), body)
    conn.execute('ANALYZE "app_item"')

    def search(c: psycopg.Connection[Any], d: Clustered) -> None:
        # Django binds on the client (values in the text); pg_stat_statements shows $n
        with psycopg.ClientCursor(c) as cur:
            cur.execute(
                'SELECT "app_item"."id", "app_item"."embedding" FROM "app_item"'
                ' ORDER BY ("app_item"."embedding" <-> %s) ASC LIMIT 5',
                (d.query(),),
            )
            cur.fetchall()

    return Client("django", "public", "app_item", "embedding", [search])


# -- Supabase match_documents --------------------------------------------------------------------


def supabase(conn: psycopg.Connection[Any], data: Clustered, rows: int) -> Client:
    d = data.dims
    conn.execute(
        "create table documents (id bigserial primary key, content text, metadata jsonb,"
        f" embedding vector({d}))"
    )
    body = [
        (f"text {i}", f'{{"topic": {label}}}', v) for i, (label, v) in enumerate(data.rows(rows))
    ]
    _copy(conn, sql.SQL("COPY documents (content, metadata, embedding) FROM STDIN"), body)
    conn.execute("create index on documents using hnsw (embedding vector_cosine_ops)")
    conn.execute("analyze documents")
    # LangChain's SupabaseVectorStore function: plpgsql, match_count defaults to null
    conn.execute(
        f"create function match_documents (query_embedding vector({d}),"
        " match_count int DEFAULT null, filter jsonb DEFAULT '{}')"
        " returns table (id bigint, content text, metadata jsonb, embedding jsonb,"
        " similarity float)"
        " language plpgsql as $$ #variable_conflict use_column begin return query"
        " select id, content, metadata, (embedding::text)::jsonb as embedding,"
        " 1 - (documents.embedding <=> query_embedding) as similarity from documents"
        " where metadata @> filter order by documents.embedding <=> query_embedding"
        " limit match_count; end; $$"
    )
    # Supabase's guide: LANGUAGE sql STABLE with a similarity threshold
    conn.execute(
        f"create function match_documents_sql (query_embedding vector({d}),"
        " match_threshold float, match_count int)"
        " returns table (id bigint, content text, similarity float) language sql stable as $$"
        " select documents.id, documents.content,"
        " 1 - (documents.embedding <=> query_embedding) as similarity from documents"
        " where 1 - (documents.embedding <=> query_embedding) > match_threshold"
        " order by (documents.embedding <=> query_embedding) asc limit match_count; $$"
    )

    def rpc(c: psycopg.Connection[Any], dd: Clustered) -> None:
        c.execute(
            "SELECT * FROM match_documents(query_embedding := %s::vector, match_count := %s)",
            (dd.query(), 5),
        ).fetchall()

    def rpc_sql(c: psycopg.Connection[Any], dd: Clustered) -> None:
        c.execute(
            "SELECT * FROM match_documents_sql(%s::vector, %s, %s)", (dd.query(), 0.5, 5)
        ).fetchall()

    return Client(
        "supabase",
        "public",
        "documents",
        "embedding",
        [rpc, rpc_sql],
        functions=("match_documents", "match_documents_sql"),
    )


BUILDERS: dict[str, Callable[[psycopg.Connection[Any], Clustered, int], Client]] = {
    "langchain-pgvector": langchain_pgvector,
    "langchain-pgvectorstore": langchain_pgvectorstore,
    "llamaindex": llamaindex,
    "haystack": haystack,
    "django": django,
    "supabase": supabase,
}


def build(
    conn: psycopg.Connection[Any],
    names: tuple[str, ...] = tuple(BUILDERS),
    rows: int = 2000,
    data: Clustered | None = None,
) -> dict[str, Client]:
    """Build the named clients' schemas in ``conn``'s database (autocommit connection)."""
    data = data or Clustered()
    return {name: BUILDERS[name](conn, data, rows) for name in names}


def enable_pg_stat_statements(conn: psycopg.Connection[Any]) -> None:
    """The test server preloads the library; each database needs the extension's view."""
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def run_queries(dsn: str, clients: dict[str, Client], times: int = 3, seed: int = 11) -> None:
    """Send each client's statements ``times`` times from a connection of their own, the way the
    application would (server-side parameters unless the library writes values in the text)."""
    data = Clustered(seed=7)
    data.rng = np.random.default_rng(seed)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for client in clients.values():
            for stmt in client.statements:
                for _ in range(times):
                    stmt(conn, data)


def recorded_workload(
    admin: psycopg.Connection[Any], dsn: str, names: tuple[str, ...], rows: int, times: int = 1
) -> dict[str, Client]:
    """The named clients built in ``dsn``'s database (``admin``: its autocommit connection),
    pg_stat_statements reset, then their statements sent ``times`` times: what an operator
    finds in pg_stat_statements."""
    enable_pg_stat_statements(admin)
    built = build(admin, names, rows=rows)
    admin.execute("SELECT pg_stat_statements_reset()")
    run_queries(dsn, built, times=times)
    return built
