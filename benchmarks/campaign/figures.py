"""The campaign benchmark's arithmetic: rates from the simulator's arrival times, and the CPU
of this run's own processes (the box is shared, so only ours are counted)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

BIN_SECONDS = 10
TICK = os.sysconf("SC_CLK_TCK")
KINDS = {"uvicorn": "web", "celery": "worker", "redis-server": "redis"}


def rates(times: list[float], trim: float, killed: list[float]) -> dict[str, Any]:
    """Achieved rates from sorted arrival times (epoch seconds).

    The steady window runs from ``trim`` seconds after the first send to ``trim`` seconds before
    the last one; its rate is the sends inside it over its length. The series counts the sends
    of each whole 10-s bin of that window."""
    if len(times) < 2:
        return {"sends_timed": len(times)}
    first, last = times[0], times[-1]
    start, end = first + trim, last - trim
    inside = sum(1 for t in times if start <= t < end)
    series = [0] * max(int((end - start) // BIN_SECONDS), 0)
    for t in times:
        index = int((t - start) // BIN_SECONDS)
        if start <= t and index < len(series):
            series[index] += 1
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return {
        "overall_rate": round((len(times) - 1) / (last - first), 2),
        "duration_s": round(last - first, 1),
        "steady_window_s": round(end - start, 1),
        "steady_rate": round(inside / (end - start), 2) if end > start else None,
        "rate_10s_min": round(min(series) / BIN_SECONDS, 1) if series else None,
        "rate_10s_max": round(max(series) / BIN_SECONDS, 1) if series else None,
        "rate_10s_series": [round(n / BIN_SECONDS, 1) for n in series],
        "longest_gap_s": round(max(gaps), 2),
        "kills_at_s": [round(at - first, 1) for at in killed],
    }


def snapshot(driver: int, database: str) -> dict[str, float]:
    """CPU seconds used so far by this run's processes, by kind: the web and worker processes
    started by ``driver`` (beat counts as worker), the PostgreSQL backends of ``database``, the
    Redis server (shared with other users of the box: an upper bound), and the driver."""
    procs: dict[int, tuple[int, str, float]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # it ended meanwhile
                continue
            procs[int(proc.name)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / TICK)
    totals = {"web": 0.0, "worker": 0.0, "postgres": 0.0, "redis": 0.0, "driver": 0.0}
    for pid, (_, _command, seconds) in procs.items():
        kind = _kind(pid, procs, driver, database)
        if kind is not None:
            totals[kind] += seconds
    return totals


def _kind(pid: int, procs: dict[int, tuple[int, str, float]], driver: int, database: str) -> str | None:
    command = procs[pid][1]
    if pid == driver:
        return "driver"
    if command.startswith("postgres:"):
        return "postgres" if f" {database} " in command else None
    if "redis-server" in command:
        return "redis"
    kind = None
    current = pid
    while current in procs and current != driver:  # a uvicorn worker is a spawned python
        parent, command, _ = procs[current]
        kind = kind or next((kind for key, kind in KINDS.items() if key in command), None)
        current = parent
    return kind if current == driver else None
