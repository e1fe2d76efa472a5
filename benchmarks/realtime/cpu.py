"""CPU time by kind of process on this machine, from /proc: where a run's cycles went."""

from __future__ import annotations

import os
from pathlib import Path

KINDS = {"uvicorn": "web", "celery": "worker", "postgres": "postgres", "redis-server": "redis"}
TICK = os.sysconf("SC_CLK_TCK")


def snapshot() -> dict[str, float]:
    """CPU seconds (user + system) used so far by each kind of process. A process is of the kind
    its own command line or its nearest ancestor's names; "listeners" are this one's other
    children (the socket holders), "load" is this process."""
    procs: dict[int, tuple[int, str, float]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # it ended meanwhile
                continue
            procs[int(proc.name)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / TICK)
    totals = dict.fromkeys([*KINDS.values(), "listeners", "load"], 0.0)
    for pid, (_, _, seconds) in procs.items():
        kind = _kind(pid, procs)
        if kind is not None:
            totals[kind] += seconds
    return totals


def _kind(pid: int, procs: dict[int, tuple[int, str, float]]) -> str | None:
    if pid == os.getpid():
        return "load"
    while pid in procs:
        parent, command, _ = procs[pid]
        kind = next((kind for key, kind in KINDS.items() if key in command), None)
        if kind is not None:
            return kind
        if parent == os.getpid():
            return "listeners"
        pid = parent
    return None


def per_message(before: dict[str, float], after: dict[str, float], messages: int) -> dict[str, float]:
    """Milliseconds of CPU per message by kind between two snapshots."""
    return {kind: round((after[kind] - before[kind]) * 1000 / messages, 2) for kind in before}
