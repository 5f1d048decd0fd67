"""EXPLAIN text property lines → JSON keys: ``Buffers: shared hit=1 read=2`` → Shared Hit
Blocks / Shared Read Blocks, ``Sort Method: top-N heapsort  Memory: 25kB`` → Sort Method, Sort
Space Used, Sort Space Type, ``Planning Time: 0.1 ms`` …; the wording of PostgreSQL 13–18 (and
the ``I/O Timings`` / ``Total runtime`` of older releases). Expressions stay strings.
"""

from __future__ import annotations

from typing import Any

from pgvtui.core.plan.text_values import kb, number, pairs, split_list

_LIST_KEYS = {"Sort Key", "Presorted Key", "Group Key", "Output"}
_INT_KEYS = {
    "Heap Fetches",
    "Index Searches",
    "Workers Planned",
    "Workers Launched",
    "Query Identifier",
    "Functions",
}
_NUM_KEYS = {
    "Rows Removed by Filter",
    "Rows Removed by Index Recheck",
    "Rows Removed by Join Filter",
}
_BOOL_KEYS = {"Inner Unique", "Single Copy", "Disabled", "Async Capable"}
_TOP_ALIASES = {
    "planning time": "Planning Time",
    "execution time": "Execution Time",
    "total runtime": "Execution Time",  # PostgreSQL 9.3 and before
}


def _buffers(into: dict[str, Any], value: str) -> None:
    """``shared hit=1 read=2, local hit=3, temp read=4 written=5`` → the JSON block keys."""
    for part in value.split(","):
        words = part.split()
        if not words:
            continue
        scope = words[0].capitalize()  # Shared | Local | Temp
        for k, v in pairs(" ".join(words[1:])).items():
            n = number(v)
            if n is not None:
                into[f"{scope} {k.capitalize()} Blocks"] = n


def _io_timings(into: dict[str, Any], value: str) -> None:
    """``shared read=1.2 write=0.3, temp read=…`` (15+) or ``read=1.2 write=0.3`` (≤ 14)."""
    for part in value.split(","):
        words = part.split()
        if not words:
            continue
        scope = "" if "=" in words[0] else words[0].capitalize() + " "
        for k, v in pairs(" ".join(words if not scope else words[1:])).items():
            n = number(v)
            if n is not None:
                verb = {"read": "Read", "write": "Write"}.get(k, k.capitalize())
                into[f"{scope}I/O {verb} Time"] = n


def _wal(into: dict[str, Any], value: str) -> None:
    names = {"records": "WAL Records", "fpi": "WAL FPI", "bytes": "WAL Bytes"}
    for k, v in pairs(value).items():
        n = number(v)
        if n is None:
            continue
        if k in names:
            into[names[k]] = n
        elif k == "full":  # "buffers full=N" (PostgreSQL 18)
            into["WAL Buffers Full"] = n


_MULTI = {
    "Sort Method": {"Memory": "Sort Space Used", "Disk": "Sort Space Used"},
    "Buckets": {
        "Buckets": "Hash Buckets",
        "Batches": "Hash Batches",
        "Memory Usage": "Peak Memory Usage",
    },
    "Batches": {
        "Batches": "HashAgg Batches",
        "Memory Usage": "Peak Memory Usage",
        "Disk Usage": "Disk Usage",
    },
    "Planned Partitions": {
        "Planned Partitions": "Planned Partitions",
        "Batches": "HashAgg Batches",
        "Memory Usage": "Peak Memory Usage",
        "Disk Usage": "Disk Usage",
    },
    "Hits": {
        "Hits": "Cache Hits",
        "Misses": "Cache Misses",
        "Evictions": "Cache Evictions",
        "Overflows": "Cache Overflows",
        "Memory Usage": "Peak Memory Usage",
    },
    "Storage": {"Storage": "Storage", "Maximum Storage": "Maximum Storage"},
}


def _multi(into: dict[str, Any], key: str, line: str) -> None:
    """``Buckets: 1024 (originally 512)  Batches: 1  Memory Usage: 9kB`` → several keys."""
    names = _MULTI[key]
    for part in line.split("  "):
        k, sep, v = part.strip().partition(": ")
        if not sep:
            continue
        v = v.strip()
        if key == "Sort Method" and k == "Sort Method":
            into["Sort Method"] = v
            continue
        if key == "Sort Method" and k in ("Memory", "Disk"):
            into["Sort Space Type"] = k
        original = None
        if " (originally " in v:
            v, _, original = v.partition(" (originally ")
            original = original.rstrip(")")
        json_key = names.get(k, k)
        n = kb(v) if v.endswith("kB") else number(v)
        into[json_key] = n if n is not None else v
        if json_key in ("Hash Buckets", "Hash Batches"):
            o = number(original) if original else None
            into[f"Original {json_key}"] = o if o is not None else into[json_key]


def put_property(into: dict[str, Any], key: str, value: str, line: str) -> None:
    """One ``Key: value`` line of a node (or a worker) → its JSON key(s)."""
    value = value.strip()
    if key in _MULTI:
        _multi(into, key, line.strip())
    elif key in _LIST_KEYS:
        into[key] = split_list(value)
    elif key in _INT_KEYS or key in _NUM_KEYS:
        n = number(value)
        into[key] = n if n is not None else value
    elif key in _BOOL_KEYS and value in ("true", "false"):
        into[key] = value == "true"
    elif key == "Buffers":
        _buffers(into, value)
    elif key == "I/O Timings":
        _io_timings(into, value)
    elif key == "WAL":
        _wal(into, value)
    elif key == "Heap Blocks":
        for k, v in pairs(value).items():
            n = number(v)
            if n is not None:
                into[f"{k.capitalize()} Heap Blocks"] = n
    else:
        into[key] = value


def _settings(value: str) -> dict[str, str]:
    """``enable_seqscan = 'off', work_mem = '64MB'`` → dict (PostgreSQL's lexer splits it)."""
    out: dict[str, str] = {}
    for item in split_list(value):
        name, sep, v = item.partition(" = ")
        if sep:
            v = v.strip()
            if len(v) >= 2 and v[0] == "'" and v[-1] == "'":
                v = v[1:-1].replace("''", "'")
            out[name.strip()] = v
    return out


def top_property(top: dict[str, Any], key: str, value: str, line: str) -> bool:
    """A line after the tree (``Planning Time: 0.1 ms`` …); False when it is not one."""
    canon = _TOP_ALIASES.get(key.lower())
    if canon is not None:
        n = number(value.strip().removesuffix("ms").strip())
        if n is not None:
            top[canon] = float(n)
            return True
        return False
    if key == "Settings":
        top["Settings"] = _settings(value)
    elif key == "Query Identifier":
        n = number(value)
        top[key] = n if n is not None else value.strip()
    elif key == "Serialization":
        ser: dict[str, Any] = {}
        for part in line.strip()[len("Serialization:") :].split("  "):
            k, eq, v = part.strip().partition("=")
            if not eq:
                continue
            if k == "time":
                ser["Time"] = number(v.removesuffix(" ms").strip())
            elif k == "output":
                ser["Output Volume"] = kb(v)
            elif k == "format":
                ser["Format"] = v
        top["Serialization"] = ser
    elif key.startswith("Trigger "):
        trigger = {"Trigger Name": key[len("Trigger ") :], "Text": value}
        top.setdefault("Triggers", []).append(trigger)
    else:
        return False
    return True


def section_property(section: dict[str, Any], name: str, key: str, value: str) -> None:
    if key == "Buffers":
        _buffers(section, value)
    elif key == "Memory" and name == "Planning":
        for k, v in pairs(value).items():
            n = kb(v)
            if n is not None:
                section[f"Memory {k.capitalize()}"] = n
    elif key == "I/O Timings":
        _io_timings(section, value)
    else:
        n = number(value)
        section[key] = n if n is not None else value.strip()
