"""EMPATY's classifier at run time: TF-IDF over the n-grams of empaty.text, two linear heads
(polarity, emotion), softmax. numpy only; the weights ship in the project as a plain .npz (no
pickles: arrays of numbers and one UTF-8 byte string of the vocabulary)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from empaty.text import normalise, word_grams

WEIGHTS = Path(__file__).resolve().parent / "weights" / "empaty.npz"
POLARITIES = ("positive", "neutral", "negative")
EMOTIONS = ("joy", "sadness", "anger", "fear", "surprise", "disgust", "others")
HEADS = {"polarity": POLARITIES, "emotion": EMOTIONS}
Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]
MAX_KNOWN_WORDS = 500_000  # per process: each word's n-gram indices, computed once


@dataclass(frozen=True)
class Prediction:
    polarity: str
    score: float  # P(positive) - P(negative)
    emotion: str
    probabilities: dict[str, dict[str, float]]  # {"polarity": {...}, "emotion": {...}}


class Model:
    """Loaded once per process (``model()``); ``predict`` is pure and thread-safe."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            vocabulary = bytes(data["vocabulary"]).decode().split("\n")
            self.idf: Floats = data["idf"].astype(np.float32)
            self.weights: Floats = data["weights"].astype(np.float32)  # features x (3 + 7)
            self.bias: Floats = data["bias"].astype(np.float32)
            self.meta: dict[str, object] = json.loads(bytes(data["meta"]).decode())
        self.index = {gram: position for position, gram in enumerate(vocabulary)}
        self._known_words: dict[str, tuple[int, ...]] = {}
        self.version = str(self.meta["version"])

    def grams(self, text: str) -> list[int]:
        """The vocabulary indices of the text's n-grams, repeats included."""
        words = normalise(text).split()
        known = self._known_words
        index = self.index
        found: list[int] = []
        for word in words:
            indices = known.get(word)
            if indices is None:
                indices = tuple(i for i in map(index.get, word_grams(word)) if i is not None)
                if len(known) < MAX_KNOWN_WORDS:
                    known[word] = indices
            found += indices
        for first, second in itertools.pairwise(words):
            position = index.get(f"b {first} {second}")
            if position is not None:
                found.append(position)
        return found

    def vectorise_batch(self, texts: Sequence[str]) -> tuple[Ints, Ints, Floats]:
        """Row, column and value of every non-zero (1 + log tf) * idf, each row L2-normalised;
        sorted by row."""
        rows: list[int] = []
        cols: list[int] = []
        for row, text in enumerate(texts):
            found = self.grams(text)
            rows += [row] * len(found)
            cols += found
        width = len(self.idf)
        keys, tf = np.unique(
            np.asarray(rows, dtype=np.int64) * width + np.asarray(cols, dtype=np.int64), return_counts=True
        )
        row_of, col_of = np.divmod(keys, width)
        values = (1.0 + np.log(tf.astype(np.float32))) * self.idf[col_of]
        norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=len(texts))).astype(np.float32)
        values /= norms[row_of]
        return row_of.astype(np.int64), col_of.astype(np.int64), values.astype(np.float32)

    def vectorise(self, text: str) -> tuple[Ints, Floats]:
        _, cols, values = self.vectorise_batch([text])
        return cols, values

    def scores(self, texts: Sequence[str], adjustment: Adjustment | None = None) -> Floats:
        """Raw scores, one row per text: 3 polarity columns then 7 emotion columns."""
        rows, cols, values = self.vectorise_batch(texts)
        out = np.tile(self.bias, (len(texts), 1))
        if len(rows):
            contributions = self.weights[cols] * values[:, None]
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            out[rows[starts]] += np.add.reduceat(contributions, starts, axis=0)
        if adjustment is not None:
            for row in range(len(texts)):
                mine = rows == row
                out[row] += adjustment.delta(cols[mine], values[mine])
        return out

    def predict(self, texts: Sequence[str], adjustment: Adjustment | None = None) -> list[Prediction]:
        scores = self.scores(texts, adjustment)
        polarity = _softmax(scores[:, : len(POLARITIES)])
        emotion = _softmax(scores[:, len(POLARITIES) :])
        predictions = []
        for row in range(len(texts)):
            pol = dict(zip(POLARITIES, polarity[row].round(4).tolist(), strict=True))
            emo = dict(zip(EMOTIONS, emotion[row].round(4).tolist(), strict=True))
            predictions.append(
                Prediction(
                    polarity=max(pol, key=pol.__getitem__),
                    score=round(pol["positive"] - pol["negative"], 4),
                    emotion=max(emo, key=emo.__getitem__),
                    probabilities={"polarity": pol, "emotion": emo},
                )
            )
        return predictions


class Adjustment:
    """An account's learnt deltas (empaty.adjustment), added to the shared model's scores."""

    def __init__(self, deltas: Mapping[int, Sequence[float]], bias: Sequence[float]) -> None:
        self.deltas = {int(key): np.asarray(value, dtype=np.float32) for key, value in deltas.items()}
        self.bias = np.asarray(bias, dtype=np.float32)

    def delta(self, indices: Ints, values: Floats) -> Floats:
        total = self.bias.copy()
        for position, value in zip(indices.tolist(), values.tolist(), strict=True):
            row = self.deltas.get(position)
            if row is not None:
                total += value * row
        return total


def _softmax(scores: Floats) -> Floats:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: Floats = shifted / shifted.sum(axis=1, keepdims=True)
    return result


@lru_cache(maxsize=1)
def model() -> Model:
    return Model(WEIGHTS)
