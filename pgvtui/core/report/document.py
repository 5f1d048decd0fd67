"""The report document: plain JSON values, documented in docs/report.md.

This is the stable format: ``--format json`` writes it, ``--baseline`` reads an earlier one,
and the Markdown and HTML renderers draw only from it (so every format carries the same
content). Keys are only ever added within one ``format_version``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pgvtui import __version__
from pgvtui.core.models import to_jsonable
from pgvtui.core.report import FORMAT_VERSION
from pgvtui.core.report.collect import Checked, Failed, Outcome, RecallSpot, ReportOptions
from pgvtui.core.residency import IndexResidency

# Settings the report shows per database (statement_timeout is pgvtui's own pinned value and
# block_size never changes, so neither is listed).
HIDDEN_SETTINGS = ("statement_timeout", "block_size")
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}
TOP_FINDINGS = 10
TOP_GROWTH = 5


def _index_doc(c: Checked, name: str, r: IndexResidency | None) -> dict[str, Any]:
    idx = next(i for i in c.inventory.indexes if i.qualified_name == name)
    return {
        "schema": idx.schema,
        "table": idx.table,
        "name": idx.name,
        "method": idx.method,
        "opclass": idx.opclass,
        "key": idx.key_column if idx.key_column is not None else idx.key_expression,
        "key_type": idx.key_type,
        "dims": idx.key_dims,
        "options": {"m": idx.m, "ef_construction": idx.ef_construction}
        if idx.method == "hnsw"
        else {"lists": idx.lists},
        "partial": idx.predicate,
        "valid": idx.valid,
        "size_bytes": idx.size_bytes,
        "rows": idx.table_rows_estimate,
        "idx_scan": idx.idx_scan,
        "definition": idx.definition,
        "estimated_bytes": r.estimated_bytes if r else None,
        "share_pct": r.share_pct if r else None,
        "fits_shared_buffers": r.fits_shared_buffers if r else None,
        "fits_effective_cache_size": r.fits_cache if r else None,
        "fits_ram": r.fits_ram if r else None,
        "resident_pct": r.resident_pct if r else None,
        "rows_to_exceed_shared_buffers": r.rows_to_exceed_shared_buffers if r else None,
    }


def _recall_doc(s: RecallSpot) -> dict[str, Any]:
    d: dict[str, Any] = {
        "index": s.index,
        "method": s.method,
        "settings": dict(s.settings),
        "error": s.error,
        "k": None,
        "queries": 0,
        "recall_mean": None,
        "recall_min": None,
        "latency_ms_p50": None,
        "latency_ms_p95": None,
        "index_used": None,
        "complete": False,
    }
    rep = s.report
    if rep is not None:
        d["k"] = rep.k
        d["complete"] = rep.complete
        d["warnings"] = list(rep.warnings)
        if rep.results:
            r = rep.results[0]
            d.update(
                queries=r.queries,
                recall_mean=round(r.recall_mean, 4),
                recall_min=round(r.recall_min, 4),
                latency_ms_p50=round(r.latency_ms_p50, 3),
                latency_ms_p95=round(r.latency_ms_p95, 3),
                index_used=round(r.index_used, 3),
            )
    return d


def _workload_doc(c: Checked, options: ReportOptions) -> dict[str, Any]:
    """The top vector statements with their diagnosis, or why there are none."""
    w = c.workload
    doc: dict[str, Any] = {
        "requested": options.workload_top,
        "available": w is not None and w.available,
        "reason": None,
        "hint": None,
        "matched": 0,
        "hidden": 0,
        "notes": [],
        "statements": [],
    }
    if w is None:
        doc["reason"] = "pg_stat_statements could not be read (see notes)"
        return doc
    if not w.available:
        doc.update(reason=w.problem, hint=w.hint)
        return doc
    full = w.to_json()
    for entry, st in zip(w.entries, full["entries"], strict=True):
        diag = w.diagnoses.get(entry.queryid)
        if diag is not None:
            for f, fdoc in zip(diag.findings, st["diagnosis"]["findings"], strict=True):
                fdoc["fix_is_sql"] = f.fix_is_sql  # as the database's own findings[]
    doc.update(
        matched=w.matched,
        hidden=w.hidden,
        notes=list(w.notes),
        statements=full["entries"],
        pg_stat_statements=full["pg_stat_statements"],
    )
    if not w.entries:
        doc["reason"] = "no vector statement recorded in pg_stat_statements"
    return doc


def database_doc(c: Checked, options: ReportOptions) -> dict[str, Any]:
    inv, rr = c.inventory, c.residency
    by_name = {r.qualified_name: r for r in rr.indexes} if rr else {}
    server = inv.server
    mem = rr.memory if rr else None
    total = inv.index_bytes
    workload = _workload_doc(c, options) if options.workload_top > 0 else None
    return {
        "target": c.target.label,
        "conninfo": c.target.redacted,
        "host": c.target.host,
        "port": c.target.port,
        "dbname": c.target.dbname,
        "seconds": c.seconds,
        "statements": c.statements,
        "server": {
            "version": server.version,
            "version_num": server.version_num,
            "pgvector": server.pgvector_version,
            "pgvector_available": server.pgvector_available,
            "role": "standby" if server.in_recovery else "primary",
            "database": server.database,
            "user": server.user,
            "superuser": server.is_superuser,
            "extensions": {k: v.get("installed") for k, v in sorted(server.extensions.items())},
        },
        "settings": {k: v for k, v in inv.settings.items() if k not in HIDDEN_SETTINGS},
        "memory": None
        if mem is None
        else {
            "shared_buffers_bytes": mem.shared_buffers_bytes,
            "effective_cache_size_bytes": mem.effective_cache_size_bytes,
            "ram_bytes": mem.ram_bytes,
            "ram_source": mem.ram_source,
        },
        "ann_bytes": total,
        "vector_columns": len(inv.columns),
        "fits": None
        if mem is None
        else {
            "shared_buffers": total <= mem.shared_buffers_bytes,
            "effective_cache_size": total <= mem.effective_cache_size_bytes,
            "ram": total <= mem.ram_bytes,
        },
        "buffercache": None
        if rr is None
        else {"available": rr.buffercache.available, "reason": rr.buffercache.reason},
        "indexes": [
            _index_doc(c, i.qualified_name, by_name.get(i.qualified_name)) for i in inv.indexes
        ],
        "findings": [{**f.to_json(), "fix_is_sql": f.fix_is_sql} for f in c.findings],
        "recall": [_recall_doc(s) for s in c.recall] if options.recall_sample > 0 else None,
        "workload": workload,
        "notes": list(c.notes),
    }


def failure_doc(f: Failed) -> dict[str, Any]:
    t = f.target
    return {
        "target": t.label,
        "conninfo": t.redacted,
        "host": t.host,
        "port": t.port,
        "dbname": t.dbname,
        "seconds": f.seconds,
        "error": f.error,
    }


def summary_doc(databases: list[dict[str, Any]], failures: list[dict[str, Any]]) -> dict[str, Any]:
    """The fleet summary (``largest_growth`` is filled in once a baseline is compared)."""
    not_fitting: list[dict[str, Any]] = []
    db_not_fitting: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    counts = {"error": 0, "warning": 0, "info": 0}
    for d in databases:
        mem = d["memory"]
        if mem is not None:
            sb = mem["shared_buffers_bytes"]
            for i in d["indexes"]:
                if i["size_bytes"] > sb:
                    not_fitting.append(
                        {
                            "database": d["target"],
                            "index": f"{i['schema']}.{i['name']}",
                            "size_bytes": i["size_bytes"],
                            "shared_buffers_bytes": sb,
                            "over_bytes": i["size_bytes"] - sb,
                            "fits_ram": i["size_bytes"] <= mem["ram_bytes"],
                        }
                    )
            if d["ann_bytes"] > sb:
                db_not_fitting.append(
                    {
                        "database": d["target"],
                        "ann_bytes": d["ann_bytes"],
                        "shared_buffers_bytes": sb,
                        "over_bytes": d["ann_bytes"] - sb,
                    }
                )
        for f in d["findings"]:
            counts[f["severity"]] = counts.get(f["severity"], 0) + 1
            findings.append({"database": d["target"], **f})
    findings.sort(key=lambda f: (-SEVERITY_RANK.get(f["severity"], 0), f["rule"], f["database"]))
    not_fitting.sort(key=lambda x: -x["over_bytes"])
    db_not_fitting.sort(key=lambda x: -x["over_bytes"])
    return {
        "targets": len(databases) + len(failures),
        "checked": len(databases),
        "failed": len(failures),
        "ann_indexes": sum(len(d["indexes"]) for d in databases),
        "total_ann_bytes": sum(d["ann_bytes"] for d in databases),
        "findings": counts,
        "not_fitting": not_fitting,
        "databases_not_fitting": db_not_fitting,
        "worst_findings": [
            {k: f[k] for k in ("database", "severity", "rule", "object", "message")}
            for f in findings[:TOP_FINDINGS]
        ],
        "largest_growth": None,
    }


def build_document(
    outcomes: Sequence[Outcome],
    options: ReportOptions,
    *,
    generated_at: dt.datetime | None = None,
) -> dict[str, Any]:
    databases = [database_doc(o, options) for o in outcomes if isinstance(o, Checked)]
    failures = [failure_doc(o) for o in outcomes if isinstance(o, Failed)]
    when = generated_at or dt.datetime.now(dt.UTC)
    return {
        "format_version": FORMAT_VERSION,
        "tool": f"pgvtui {__version__}",
        "generated_at": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "options": to_jsonable(options),
        "summary": summary_doc(databases, failures),
        "databases": databases,
        "failures": failures,
        "baseline": None,
    }
