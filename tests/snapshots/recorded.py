"""Fixed, recorded data for the snapshot tier: a backend that never touches a server.

Everything here is a constant (no clocks, no randomness), so the screens render identically on
every run. The plans are real PostgreSQL 18 EXPLAIN outputs from tests/data/plans-pg18.json.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pgvtui.core.activity import Activity, IndexBuild, TableKey, VectorQuery
from pgvtui.core.models import ColumnInfo, IndexInfo, Inventory, ServerInfo
from pgvtui.core.plan import Plan, parse_plan
from pgvtui.core.recall.policy import recommend
from pgvtui.core.recall.sweep import RecallReport, SettingResult
from pgvtui.core.residency import (
    BuffercacheStatus,
    IndexResidency,
    MemoryInfo,
    ResidencyReport,
    Suggestion,
)
from pgvtui.core.rules.base import Finding, Severity
from pgvtui.core.statement import ColumnUse
from pgvtui.core.workload import Workload, WorkloadEntry
from pgvtui.ui.backend import Backend, Catalog, SearchOutcome

PLANS = Path(__file__).parents[1] / "data" / "plans-pg18.json"
MB = 1024 * 1024


def recorded_plan(name_prefix: str) -> Plan:
    for entry in json.loads(PLANS.read_text()):
        if entry["name"].startswith(name_prefix):
            return parse_plan(entry["plan"])
    raise KeyError(name_prefix)


SERVER = ServerInfo(
    version="18.6",
    version_num=180006,
    version_full="PostgreSQL 18.6 on x86_64-pc-linux-gnu",
    database="pgvtui_demo",
    user="demo",
    is_superuser=False,
    in_recovery=False,
    pgvector_version="0.8.6",
    pgvector_available="0.8.6",
    extensions={
        "vector": {"installed": "0.8.6", "available": "0.8.6"},
        "pg_buffercache": {"installed": "1.6", "available": "1.6"},
        "pg_prewarm": {"installed": None, "available": "1.2"},
    },
)
SETTINGS: dict[str, str | None] = {
    "shared_buffers": "24MB",
    "effective_cache_size": "4GB",
    "maintenance_work_mem": "16MB",
    "work_mem": "4MB",
    "max_parallel_maintenance_workers": "2",
    "random_page_cost": "4",
    "hnsw.ef_search": "40",
    "hnsw.iterative_scan": "off",
    "hnsw.max_scan_tuples": "20000",
    "ivfflat.probes": "1",
}


def _col(table: str, type_: str, dims: int, rows: int, total_mb: float) -> ColumnInfo:
    return ColumnInfo(
        schema="public",
        table=table,
        column="embedding",
        type=type_,
        dims=dims,
        nullable=True,
        rows_estimate=rows,
        null_frac=0.0,
        avg_width=dims * 2 + 8,
        storage="external",
        table_bytes=int(total_mb * MB * 0.6),
        toast_bytes=8192,
        total_bytes=int(total_mb * MB),
        table_oid=1000 + len(table),
        attnum=7,
        n_dead_tup=0,
        n_live_tup=rows,
    )


def _idx(
    name: str,
    table: str,
    opclass: str,
    op: str,
    type_: str,
    dims: int,
    rows: int,
    size_mb: float,
    oid: int,
    *,
    defaults: tuple[str, ...] = ("m", "ef_construction"),
    idx_scan: int = 0,
) -> IndexInfo:
    return IndexInfo(
        schema="public",
        table=table,
        name=name,
        method="hnsw",
        opclass=opclass,
        operator=op,
        definition=f"CREATE INDEX {name} ON public.{table} USING hnsw (embedding {opclass})",
        key_column="embedding",
        key_expression=None,
        predicate=None,
        m=16,
        ef_construction=64,
        lists=None,
        defaults=defaults,
        valid=True,
        ready=True,
        size_bytes=int(size_mb * MB),
        idx_scan=idx_scan,
        building=False,
        index_oid=oid,
        table_oid=1000 + len(table),
        key_type=type_,
        key_dims=dims,
        table_rows_estimate=rows,
    )


INVENTORY = Inventory(
    server=SERVER,
    settings=SETTINGS,
    columns=(
        _col("articles", "halfvec", 384, 20_000, 40.2),
        _col("documents", "vector", 768, 8_000, 63.6),
        _col("chunks", "vector", 256, 5_000, 5.8),
    ),
    indexes=(
        _idx(
            "articles_embedding_idx",
            "articles",
            "halfvec_cosine_ops",
            "<=>",
            "halfvec",
            384,
            20_000,
            22.3,
            501,
            defaults=(),
            idx_scan=1684,
        ),
        _idx(
            "documents_embedding_l2",
            "documents",
            "vector_l2_ops",
            "<->",
            "vector",
            768,
            8_000,
            31.3,
            502,
        ),
    ),
)

CATALOG_FINDINGS = (
    Finding(
        rule="index-exceeds-memory",
        severity=Severity.WARNING,
        message="public.documents_embedding_l2 (31 MB) is larger than shared_buffers (24 MB)",
        evidence="pg_relation_size 32,776,192 B; shared_buffers 24 MB",
        fix="ALTER SYSTEM SET shared_buffers = '43MB';  -- needs a restart",
        object="public.documents_embedding_l2",
    ),
    Finding(
        rule="no-ann-index",
        severity=Severity.WARNING,
        message="public.chunks.embedding has no ANN index: every k-NN query scans 5,000 rows",
        evidence="no hnsw/ivfflat index on public.chunks (embedding)",
        fix="CREATE INDEX CONCURRENTLY ON public.chunks USING hnsw (embedding vector_cosine_ops);",
        object="public.chunks.embedding",
    ),
    Finding(
        rule="unused-index",
        severity=Severity.INFO,
        message="public.documents_embedding_l2 has not been used since statistics began",
        evidence="pg_stat_all_indexes.idx_scan = 0",
        fix='DROP INDEX CONCURRENTLY "public"."documents_embedding_l2";',
        object="public.documents_embedding_l2",
    ),
)

MEMORY = MemoryInfo(
    shared_buffers_bytes=24 * MB,
    effective_cache_size_bytes=4096 * MB,
    ram_bytes=16384 * MB,
    ram_source="option",
)


ANN_BYTES = sum(i.size_bytes for i in INVENTORY.indexes)


def _res(idx: IndexInfo, pct: float | None, fits_sb: bool, to_sb: int | None) -> IndexResidency:
    pages = idx.size_bytes // 8192
    return IndexResidency(
        schema=idx.schema,
        table=idx.table,
        name=idx.name,
        method=idx.method,
        key_type=idx.key_type,
        key_dims=idx.key_dims,
        rows=idx.table_rows_estimate,
        size_bytes=idx.size_bytes,
        estimated_bytes=idx.size_bytes,
        drift_pct=0.0,
        share_pct=100 * idx.size_bytes / ANN_BYTES,
        resident_pages=None if pct is None else int(pages * pct / 100),
        resident_pct=pct,
        usage_counts=None,
        fits_shared_buffers=fits_sb,
        fits_cache=True,
        fits_ram=True,
        rows_to_exceed_shared_buffers=to_sb,
        rows_to_exceed_ram=14_000_000,
        idx_scan=idx.idx_scan,
        prewarm_sql=f"SELECT pg_prewarm('public.{idx.name}'::regclass);",
        index_oid=idx.index_oid,
    )


RESIDENCY = ResidencyReport(
    memory=MEMORY,
    indexes=(
        _res(INVENTORY.indexes[0], 37.0, True, 21_500),
        _res(INVENTORY.indexes[1], 0.0, False, None),
    ),
    total_ann_bytes=ANN_BYTES,
    total_estimated_bytes=ANN_BYTES,
    growth_to_exceed_shared_buffers=None,
    growth_to_exceed_ram=305.6,
    buffercache=BuffercacheStatus(available=True, reason=None, installed_version="1.6"),
    suggestions=(
        Suggestion(
            "Prewarm public.articles_embedding_idx (37 % resident)",
            "SELECT pg_prewarm('public.articles_embedding_idx'::regclass);",
        ),
    ),
)

SEARCH_SQL = (
    "SELECT id, embedding <=> (SELECT embedding FROM articles WHERE id = 42) AS distance\n"
    "FROM articles\nORDER BY distance\nLIMIT 10"
)


def search_outcome(sql: str, settings: Mapping[str, str]) -> SearchOutcome:
    """A Sort + Seq Scan plan (operator ≠ opclass) with a finding on the Sort node."""
    plan = recorded_plan("B operator differs")
    sort = plan.find("Sort")[0]
    return SearchOutcome(
        sql=sql,
        settings=dict(settings),
        plan=plan,
        findings=(
            Finding(
                rule="operator-mismatch",
                severity=Severity.ERROR,
                message="ORDER BY uses <=> but the only index on items.emb serves <->",
                evidence="Sort Key: ((emb <=> '…'::vector)); index items_emb_idx vector_l2_ops",
                fix="CREATE INDEX CONCURRENTLY ON items USING hnsw (emb vector_cosine_ops);",
                object="plan: Sort",
                node_id=sort.id,
            ),
        ),
        columns=("id", "distance"),
        rows=(("42", "0"), ("7", "0.21"), ("1903", "0.2388")),
        wall_ms=12.0,
    )


ACTIVITY = Activity(
    queries=(
        VectorQuery(
            pid=4242,
            usename="app",
            application_name="api",
            database="pgvtui_demo",
            state="active",
            duration_s=2.4,
            wait_event_type="IO",
            wait_event="DataFileRead",
            query="SELECT id FROM documents ORDER BY embedding <=> $1 LIMIT 10",
            is_own=False,
        ),
        VectorQuery(
            pid=5151,
            usename="demo",
            application_name="pgvtui",
            database="pgvtui_demo",
            state="active",
            duration_s=12.0,
            wait_event_type="Timeout",
            wait_event="PgSleep",
            query="EXPLAIN (ANALYZE, BUFFERS) SELECT pg_sleep(30)",
            is_own=True,
        ),
    ),
    builds=(
        IndexBuild(
            pid=6060,
            database="pgvtui_demo",
            table="public.articles",
            index="public.articles_embedding_new",
            method="hnsw",
            command="CREATE INDEX CONCURRENTLY",
            phase="building index: loading tuples",
            blocks_total=2_200,
            blocks_done=1_650,
            tuples_total=0,
            tuples_done=15_000,
            duration_s=95.0,
        ),
    ),
)


def _setting(ef: int, recall: float, p50: float) -> SettingResult:
    return SettingResult(
        settings={"hnsw.ef_search": ef, "hnsw.iterative_scan": "off"},
        queries=50,
        recall_mean=recall,
        recall_min=recall - 0.1,
        rows_mean=10.0,
        latency_ms_p50=p50,
        latency_ms_p95=p50 * 1.4,
        latency_ms_p99=p50 * 1.6,
        shared_hit=900 + ef,
        shared_read=0.0,
        index_used=1.0,
        client_ms_p50=p50 + 0.3,
    )


_RECALL_RESULTS = (
    _setting(40, 0.742, 1.10),
    _setting(80, 0.861, 1.62),
    _setting(160, 0.934, 2.51),
    _setting(320, 0.968, 4.35),
)
RECALL = RecallReport(
    index="public.articles_embedding_idx",
    column="public.articles.embedding",
    method="hnsw",
    metric="cosine",
    operator="<=>",
    k=10,
    target=0.95,
    where=None,
    query_source="sample",
    seed=0,
    query_ids=tuple(range(50)),
    results=_RECALL_RESULTS,
    recommendation=recommend(_RECALL_RESULTS, 0.95, 10),
    ground_truth_seconds=0.4,
    ground_truth_rows=20_000,
    complete=True,
)


def _wl(
    queryid: int, query: str, calls: int, total: float, mx: float, rows: int, hit: int, read: int
) -> WorkloadEntry:
    return WorkloadEntry(
        queryid=queryid,
        username="app",
        query=query,
        calls=calls,
        total_ms=total,
        mean_ms=total / calls,
        max_ms=mx,
        stddev_ms=mx / 4,
        rows=rows,
        shared_blks_hit=hit,
        shared_blks_read=read,
        temp_blks_read=0,
        temp_blks_written=0,
        toplevel=True,
        targets=(ColumnUse("embedding", "langchain_pg_embedding", "public"),),
        operators=("<=>",),
    )


# The shapes LangChain's PGVector and Supabase's match_documents send (pg_stat_statements text).
LANGCHAIN_QUERY = (
    "SELECT langchain_pg_embedding.id, langchain_pg_embedding.document, "
    "langchain_pg_embedding.embedding <=> $1 AS distance FROM langchain_pg_embedding "
    "JOIN langchain_pg_collection ON langchain_pg_embedding.collection_id = "
    "langchain_pg_collection.uuid WHERE langchain_pg_embedding.collection_id = $2::UUID "
    "ORDER BY distance ASC LIMIT $3::INTEGER"
)
WORKLOAD = Workload(
    available=True,
    entries=(
        _wl(-6218345611987412, LANGCHAIN_QUERY, 18_204, 412_330.0, 905.2, 72_816, 9_120_004, 312),
        _wl(
            7300112233445566,
            "select * from match_documents($1, $2, $3)",
            2_310,
            9_870.5,
            61.0,
            11_550,
            401_220,
            0,
        ),
        _wl(
            118822,
            "SELECT id FROM items ORDER BY embedding <-> $1 LIMIT $2",
            95,
            210.4,
            8.8,
            950,
            12_400,
            310,
        ),
    ),
    matched=3,
    notes=(
        "2 statement(s) of other roles are hidden from this role: grant it pg_read_all_stats "
        "(GRANT pg_read_all_stats TO <role>;) to see their text",
    ),
)


def workload_check(text: str) -> Any:
    """A generic-plan diagnosis as check_statement returns it (the plan and finding recorded;
    the object carries just what the screen reads)."""
    outcome = search_outcome(text, {})
    return SimpleNamespace(
        diagnosis=SimpleNamespace(plan=outcome.plan, search=SimpleNamespace(error=None)),
        findings=outcome.findings,
        bound=(),
        generic=True,
        function=None,
    )


class RecordedBackend(Backend):
    """The App's backend with the database replaced by the constants above."""

    def __init__(self) -> None:
        super().__init__("host=db.example port=5432 dbname=pgvtui_demo user=demo")

    @property
    def display(self) -> str:
        return "host=db.example port=5432 dbname=pgvtui_demo user=demo"

    @property
    def short(self) -> str:
        return "demo@db.example:5432/pgvtui_demo"

    async def connect(self) -> None:
        return None

    async def reconnect(self) -> None:
        return None

    async def inventory(self) -> Catalog:
        self.report = RESIDENCY
        return Catalog(INVENTORY, CATALOG_FINDINGS, RESIDENCY)

    async def residency(self, inv: Inventory | None, *, scan: bool = False) -> ResidencyReport:
        return RESIDENCY

    async def table_key(self, table_oid: int) -> TableKey | None:
        return TableKey("id", "bigint")

    async def sample_key(self, schema: str, table: str, column: str, key: str) -> str | None:
        return "42"

    async def search(
        self,
        sql: str,
        settings: Mapping[str, str],
        inventory: Inventory | None,
        *,
        sample: bool = False,
        params: Mapping[int, str] | None = None,
    ) -> SearchOutcome:
        return search_outcome(sql, settings)

    async def activity(self) -> Activity:
        return ACTIVITY

    async def workload(self, *, sort: str, top: int) -> Workload:
        return WORKLOAD

    async def check_statement(
        self, text: str, *, sample: bool = False, params: Mapping[int, str] | None = None
    ) -> Any:
        return workload_check(text)
