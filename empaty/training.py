"""Training EMPATY's shared model (``make train-empaty``): versioned data in, empaty/weights/empaty.npz
and the held-out test parts out. Deterministic: the same data gives the same weights.

Sources (credited in docs/empaty.md):
- XED Spanish projections (CC BY 4.0), empaty/data/xed-es/: subtitles, Plutchik labels, no neutral.
- Our own customer-service corpus, empaty/data/corpus/*.tsv: ``text<TAB>polarity<TAB>emotion``.

Each source's test part is fixed by a seeded hash of the text, so adding lines never moves
others between parts; training never sees it. scikit-learn (a development dependency) fits the
heads; run time needs numpy only.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from empaty.classifier import EMOTIONS, POLARITIES, WEIGHTS
from empaty.text import features, normalise

DATA = Path(__file__).resolve().parent / "data"
XED = DATA / "xed-es" / "es-projections.tsv"
CORPUS = DATA / "corpus"
HELDOUT = DATA / "heldout"
SPLIT_SEED = "empaty-split-1"
TEST_SHARE = 0.2
MIN_DF = 2
C = {"polarity": 4.0, "emotion": 4.0}  # chosen on a validation part of the training data
CORPUS_WEIGHT = 2.0  # our domain counts twice as much as subtitles

# XED's Plutchik labels: 1 anger, 2 anticipation, 3 disgust, 4 fear, 5 joy, 6 sadness,
# 7 surprise, 8 trust. Anticipation and trust are not among the six basic emotions: "others".
XED_EMOTION = {1: "anger", 3: "disgust", 4: "fear", 5: "joy", 6: "sadness", 7: "surprise"}
XED_POSITIVE = {5, 8}
XED_NEGATIVE = {1, 3, 4, 6}


@dataclass(frozen=True)
class Example:
    text: str
    source: str  # "xed" or "corpus"
    polarity: str | None
    emotion: str | None


def xed_examples(path: Path = XED) -> Iterator[Example]:
    """Lines with one basic emotion (or only anticipation/trust: "others"); polarity when every
    label leans the same way. Lines with two basic emotions are left out of the emotion task."""
    for line in path.read_text(encoding="utf-8").splitlines():
        text, _, raw = line.partition("\t")
        labels = {int(label) for label in raw.replace(" ", "").split(",") if label.isdigit()}
        if not text.strip() or not labels:
            continue
        basic = [XED_EMOTION[label] for label in sorted(labels) if label in XED_EMOTION]
        emotion = basic[0] if len(basic) == 1 else ("others" if not basic else None)
        polarity = None
        if labels <= XED_POSITIVE:
            polarity = "positive"
        elif labels <= XED_NEGATIVE:
            polarity = "negative"
        if emotion or polarity:
            yield Example(text.strip(), "xed", polarity, emotion)


def corpus_examples(folder: Path = CORPUS) -> Iterator[Example]:
    for path in sorted(folder.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[1] not in POLARITIES or parts[2] not in EMOTIONS:
                raise ValueError(f"{path.name}:{number}: expected text<TAB>polarity<TAB>emotion")
            yield Example(parts[0].strip(), "corpus", parts[1], parts[2])


def is_test(text: str) -> bool:
    digest = hashlib.sha256(f"{SPLIT_SEED}:{normalise(text)}".encode()).digest()
    return int.from_bytes(digest[:4], "big") < TEST_SHARE * 2**32


def data_fingerprint() -> str:
    """A hash of every training file, stored in the weights: the test suite checks the shipped
    weights were trained on the data in the repository."""
    digest = hashlib.sha256()
    for path in [XED, *sorted(CORPUS.glob("*.tsv"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def parameters() -> dict[str, object]:
    """What else decides the weights besides the data (stored with them, checked by the tests)."""
    return {"c": C, "min_df": MIN_DF, "corpus_weight": CORPUS_WEIGHT, "split": [SPLIT_SEED, TEST_SHARE]}


def split(examples: Iterable[Example]) -> tuple[list[Example], list[Example]]:
    train: list[Example] = []
    test: list[Example] = []
    for example in examples:
        (test if is_test(example.text) else train).append(example)
    return train, test


def vocabulary(texts: list[list[str]]) -> tuple[dict[str, int], np.ndarray]:
    """Grams seen in at least MIN_DF training texts, in a stable order, and their smoothed idf."""
    df: Counter[str] = Counter()
    for grams in texts:
        df.update(set(grams))
    kept = sorted(gram for gram, count in df.items() if count >= MIN_DF)
    total = len(texts)
    idf = np.array([math.log((1 + total) / (1 + df[gram])) + 1 for gram in kept], dtype=np.float32)
    return {gram: position for position, gram in enumerate(kept)}, idf


def matrix(texts: list[list[str]], index: dict[str, int], idf: np.ndarray) -> object:
    """The same (1 + log tf) * idf, L2-normalised rows that empaty.classifier computes."""
    from scipy.sparse import csr_matrix

    rows, cols, values = [], [], []
    for row, grams in enumerate(texts):
        counts = Counter(index[gram] for gram in grams if gram in index)
        weights = {col: (1 + math.log(tf)) * float(idf[col]) for col, tf in counts.items()}
        norm = math.sqrt(sum(value * value for value in weights.values())) or 1.0
        for col, value in weights.items():
            rows.append(row)
            cols.append(col)
            values.append(value / norm)
    return csr_matrix((values, (rows, cols)), shape=(len(texts), len(index)), dtype=np.float64)


def fit_head(
    x: object, labels: list[str], weights: list[float], classes: tuple[str, ...], c: float
) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="lbfgs")
    model.fit(x, labels, sample_weight=weights)
    order = [list(model.classes_).index(label) for label in classes]
    return model.coef_[order].T.astype(np.float32), model.intercept_[order].astype(np.float32)


def train(out: Path = WEIGHTS, heldout: Path = HELDOUT) -> dict[str, object]:
    """Fit both heads on every source's training part; write the weights and the test parts."""
    train_part, test_part = split([*xed_examples(), *corpus_examples()])
    grams = [features(normalise(example.text)) for example in train_part]
    index, idf = vocabulary(grams)
    x = matrix(grams, index, idf)
    columns, biases = [], []
    for head, classes in (("polarity", POLARITIES), ("emotion", EMOTIONS)):
        rows = [row for row, example in enumerate(train_part) if getattr(example, head)]
        labels = [str(getattr(train_part[row], head)) for row in rows]
        sample = [CORPUS_WEIGHT if train_part[row].source == "corpus" else 1.0 for row in rows]
        coef, bias = fit_head(x[rows], labels, sample, classes, C[head])  # type: ignore[index]
        columns.append(coef)
        biases.append(bias)
    fingerprint = data_fingerprint()
    recipe = parameters()
    meta = {
        "version": "1-"
        + hashlib.sha256(f"{fingerprint}{json.dumps(recipe, sort_keys=True)}".encode()).hexdigest()[:10],
        "data_sha256": fingerprint,
        "parameters": recipe,
        "features": len(index),
        "train": dict(Counter(example.source for example in train_part)),
        "test": dict(Counter(example.source for example in test_part)),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    vocabulary_bytes = "\n".join(index).encode()
    np.savez_compressed(
        out,
        vocabulary=np.frombuffer(vocabulary_bytes, dtype=np.uint8),
        idf=idf,
        weights=np.hstack(columns),
        bias=np.concatenate(biases),
        meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
    )
    write_heldout(test_part, heldout)
    return meta


def write_heldout(examples: list[Example], folder: Path) -> None:
    """``<source>-<task>.tsv`` (``text<TAB>label``), what ``empaty_evaluate`` reads."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in ("xed", "corpus"):
        for task in ("polarity", "emotion"):
            lines = [
                f"{example.text}\t{getattr(example, task)}"
                for example in examples
                if example.source == source and getattr(example, task)
            ]
            (folder / f"{source}-{task}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
