"""``empaty_evaluate``: the model's quality and speed on labelled data it never saw (EMP-6)."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from pathlib import Path

from empaty.classifier import HEADS, Model

BOOTSTRAP_ROUNDS = 1000
BOOTSTRAP_SEED = 20261121
BATCH = 256


class EvaluationError(ValueError):
    pass


def read_tsv(path: Path, task: str) -> tuple[list[str], list[str]]:
    """``text<TAB>label`` lines; the label must be one of the task's. Blank lines are skipped."""
    labels = HEADS[task]
    texts, gold = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        text, tab, label = line.rpartition("\t")
        label = label.strip()
        if not tab or label not in labels:
            raise EvaluationError(
                f"line {number}: expected text<TAB>label with label one of {', '.join(labels)}"
            )
        texts.append(text)
        gold.append(label)
    if not texts:
        raise EvaluationError("the file has no labelled lines")
    return texts, gold


def per_class(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, float]]:
    result = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return result


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    """Mean F1 over the labels present in ``gold`` (absent classes would count as 0)."""
    present = [label for label in labels if label in set(gold)]
    scores = per_class(gold, predicted, present)
    return sum(score["f1"] for score in scores.values()) / len(present)


def bootstrap(gold: list[str], predicted: list[str], labels: Sequence[str]) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of macro-F1 over resamples of the messages."""
    rng = random.Random(BOOTSTRAP_SEED)  # noqa: S311 - resampling for statistics, not secrets
    size = len(gold)
    values = []
    for _ in range(BOOTSTRAP_ROUNDS):
        picks = [rng.randrange(size) for _ in range(size)]
        values.append(macro_f1([gold[i] for i in picks], [predicted[i] for i in picks], labels))
    values.sort()
    return values[int(0.025 * BOOTSTRAP_ROUNDS)], values[int(0.975 * BOOTSTRAP_ROUNDS) - 1]


def evaluate(model: Model, texts: list[str], gold: list[str], task: str) -> dict[str, object]:
    labels = HEADS[task]
    started = time.perf_counter()
    predictions = []
    for start in range(0, len(texts), BATCH):
        predictions += model.predict(texts[start : start + BATCH])
    elapsed = time.perf_counter() - started
    predicted = [getattr(prediction, task) for prediction in predictions]
    low, high = bootstrap(gold, predicted, labels)
    return {
        "task": task,
        "model_version": model.version,
        "messages": len(texts),
        "macro_f1": round(macro_f1(gold, predicted, labels), 4),
        "macro_f1_ci95": [round(low, 4), round(high, 4)],
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold), 4),
        "per_class": {
            label: {key: round(value, 4) for key, value in scores.items()}
            for label, scores in per_class(gold, predicted, labels).items()
        },
        "messages_per_second": round(len(texts) / elapsed) if elapsed else None,
    }
