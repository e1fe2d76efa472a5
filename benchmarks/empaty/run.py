"""EMPATY's speed (issue 8): messages per second per core in batches, and one message's latency.

Pins itself to one CPU and one BLAS thread, reads the held-out test parts (real messages, short and
long) and classifies them, repeated up to ``--messages``, in batches of ``--batch``; then times
``--single`` one-message calls. Goal: >= 5,000 messages/s per core in batches, p99 <= 5 ms alone.

    .venv/bin/python benchmarks/empaty/run.py [--messages 100000] [--batch 256] [--single 5000]
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from empaty.classifier import WEIGHTS, Model  # noqa: E402
from empaty.training import HELDOUT  # noqa: E402


def texts() -> list[str]:
    found: list[str] = []
    for path in sorted(HELDOUT.glob("*-emotion.tsv")):
        found += [line.rpartition("\t")[0] for line in path.read_text(encoding="utf-8").splitlines() if line]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--single", type=int, default=5000)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    loading = time.perf_counter()
    model = Model(WEIGHTS)  # a fresh process: no word seen yet
    loaded = time.perf_counter() - loading
    pool = texts()
    stream = (pool * (args.messages // len(pool) + 1))[: args.messages]
    distinct = len(set(pool))

    cold = Model(WEIGHTS)
    began = time.perf_counter()
    for start in range(0, len(pool), args.batch):  # every text once, no word seen before
        cold.predict(pool[start : start + args.batch])
    cold_rate = len(pool) / (time.perf_counter() - began)

    started = time.perf_counter()
    for start in range(0, len(stream), args.batch):
        model.predict(stream[start : start + args.batch])
    batch_rate = len(stream) / (time.perf_counter() - started)

    fresh = Model(WEIGHTS)  # latency from a cold word cache, as a worker after a restart
    latencies = []
    for text in (pool * (args.single // len(pool) + 1))[: args.single]:
        began = time.perf_counter()
        fresh.predict([text])
        latencies.append((time.perf_counter() - began) * 1000)
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 3)

    print(
        json.dumps(
            {
                "model_version": model.version,
                "features": len(model.index),
                "load_seconds": round(loaded, 2),
                "messages": len(stream),
                "distinct_texts": distinct,
                "mean_chars": round(statistics.mean(len(text) for text in pool), 1),
                "batch": args.batch,
                "messages_per_second_one_core": round(batch_rate),
                "messages_per_second_one_core_cold": round(cold_rate),
                "single_ms": {
                    "p50": pct(0.5),
                    "p95": pct(0.95),
                    "p99": pct(0.99),
                    "max": round(latencies[-1], 3),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
