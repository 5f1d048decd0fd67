"""What changed since an earlier report (``--baseline PREVIOUS.json``).

Both sides are report documents (:mod:`.document`). Databases are matched by their target label
(host:port/dbname), indexes by schema.name within a database, findings by (database, rule,
object) — a finding whose numbers moved is the same finding, not a new one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pgvtui.core.report import FORMAT_VERSION
from pgvtui.errors import UsageError

RECALL_MOVED = 0.01  # a change of recall@k this large (absolute) is reported
TOP_GROWTH = 5


def load_baseline(path: str) -> dict[str, Any]:
    """An earlier JSON report, checked to be one (a usage error otherwise: exit 2)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read baseline {path!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"baseline {path!r} is not UTF-8 text") from None
    try:
        doc = json.loads(text)
    except ValueError:
        raise UsageError(
            f"baseline {path!r} is not JSON (use a report written with --format json)"
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("format_version"), int):
        raise UsageError(f"baseline {path!r} is not a pgvtui report (no format_version)")
    if doc["format_version"] > FORMAT_VERSION:
        raise UsageError(
            f"baseline {path!r} has format_version {doc['format_version']}; this pgvtui reads "
            f"up to {FORMAT_VERSION}"
        )
    if not isinstance(doc.get("databases"), list):
        raise UsageError(f"baseline {path!r} has no databases list")
    return doc


def _dbs(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["target"]: d for d in doc.get("databases") or [] if isinstance(d, dict)}


def _indexes(d: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{i['schema']}.{i['name']}": i for i in d.get("indexes") or []}


def _findings(d: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {(f["rule"], f.get("object")): f for f in d.get("findings") or []}


def _delta(after: int | None, before: int | None) -> int | None:
    return None if after is None or before is None else after - before


def compare(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The ``baseline`` section of ``current``."""
    old, new = _dbs(previous), _dbs(current)
    indexes: list[dict[str, Any]] = []
    found_new: list[dict[str, Any]] = []
    found_resolved: list[dict[str, Any]] = []
    settings: list[dict[str, Any]] = []
    recall: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    for name in [n for n in new if n in old]:
        a, b = old[name], new[name]
        ia, ib = _indexes(a), _indexes(b)
        for key in sorted(ia.keys() | ib.keys()):
            before, after = ia.get(key), ib.get(key)
            status = "new" if before is None else "dropped" if after is None else "changed"
            bb = before["size_bytes"] if before else None
            ba = after["size_bytes"] if after else None
            rb = before.get("rows") if before else None
            ra = after.get("rows") if after else None
            if status == "changed" and bb == ba and rb == ra:
                continue
            indexes.append(
                {
                    "database": name,
                    "index": key,
                    "status": status,
                    "bytes_before": bb,
                    "bytes_after": ba,
                    "bytes_delta": (ba or 0) - (bb or 0),
                    "rows_before": rb,
                    "rows_after": ra,
                    "rows_delta": _delta(ra, rb),
                }
            )
        fa, fb = _findings(a), _findings(b)
        found_new += [{"database": name, **fb[k]} for k in fb if k not in fa]
        found_resolved += [{"database": name, **fa[k]} for k in fa if k not in fb]
        sa, sb = a.get("settings") or {}, b.get("settings") or {}
        settings += [
            {"database": name, "name": k, "before": sa.get(k), "after": sb.get(k)}
            for k in sorted(sa.keys() | sb.keys())
            if sa.get(k) != sb.get(k)
        ]
        for key in ("version", "pgvector", "role"):
            va, vb = (a.get("server") or {}).get(key), (b.get("server") or {}).get(key)
            if va != vb:
                versions.append({"database": name, "name": key, "before": va, "after": vb})
        recall += _recall_moved(name, a, b)
    growth = sorted((i for i in indexes if i["bytes_delta"] > 0), key=lambda i: -i["bytes_delta"])
    return {
        "generated_at": previous.get("generated_at"),
        "databases_added": [n for n in new if n not in old],
        "databases_missing": [n for n in old if n not in new],
        "indexes": indexes,
        "findings_new": found_new,
        "findings_resolved": found_resolved,
        "settings_changed": settings,
        "server_changed": versions,
        "recall_moved": recall,
        "total_ann_bytes_before": (previous.get("summary") or {}).get("total_ann_bytes"),
        "largest_growth": growth[:TOP_GROWTH],
    }


def _recall_moved(name: str, a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    ra = {r["index"]: r for r in a.get("recall") or []}
    out: list[dict[str, Any]] = []
    for r in b.get("recall") or []:
        before = ra.get(r["index"])
        if before is None or before.get("recall_mean") is None or r.get("recall_mean") is None:
            continue
        delta = r["recall_mean"] - before["recall_mean"]
        if abs(delta) < RECALL_MOVED and before.get("settings") == r.get("settings"):
            continue
        out.append(
            {
                "database": name,
                "index": r["index"],
                "recall_before": before["recall_mean"],
                "recall_after": r["recall_mean"],
                "recall_delta": round(delta, 4),
                "latency_ms_p50_before": before.get("latency_ms_p50"),
                "latency_ms_p50_after": r.get("latency_ms_p50"),
                "settings_before": before.get("settings"),
                "settings_after": r.get("settings"),
            }
        )
    return out


def apply_baseline(doc: dict[str, Any], previous: dict[str, Any], source: str) -> None:
    """Fill ``doc["baseline"]`` and the summary's ``largest_growth`` from ``previous``."""
    diff = compare(previous, doc)
    diff["source"] = source
    doc["baseline"] = diff
    doc["summary"]["largest_growth"] = diff["largest_growth"]
