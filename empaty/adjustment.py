"""Per-account learning from operators' corrections (EMP-1): the shared model stays the same for
everyone; each account gets small weight deltas, fitted in a worker on its own corrected
messages, plus the corrected texts themselves (the same text again gets the operator's label).
Nothing learnt from one account is ever read for another: the rows are the account's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from empaty.classifier import EMOTIONS, POLARITIES, Adjustment, Model, Prediction, model
from empaty.models import AccountAdjustment, MessageAnalysis
from empaty.text import normalise
from spoter.accounts.models import Account

MAX_CORRECTIONS = 2000  # the newest ones
EPOCHS = 30
LEARNING_RATE = 0.5
L2 = 1e-3
KEEP = 0.01  # deltas smaller than this (on every class) are dropped
QUEUED_KEY = "empaty:train-queued:{account_id}"
SCORE_OF = {"positive": 1.0, "negative": -1.0}  # a corrected polarity's score
HEADS = (("polarity", POLARITIES, 0), ("emotion", EMOTIONS, len(POLARITIES)))


def text_key(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()[:24]


@dataclass
class Learnt:
    """What an account's corrections taught: ``weights`` for the model, ``memory`` by text."""

    weights: Adjustment | None = None
    memory: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.weights is not None or bool(self.memory)

    def apply(self, text: str, prediction: Prediction) -> Prediction:
        """``prediction`` (already made with ``weights``), with the operator's labels when this
        very text was corrected before."""
        labels = self.memory.get(text_key(text)) if self.memory else None
        if not labels:
            return prediction
        polarity = labels.get("polarity") or prediction.polarity
        return Prediction(
            polarity=polarity,
            score=prediction.score if polarity == prediction.polarity else SCORE_OF.get(polarity, 0.0),
            emotion=labels.get("emotion") or prediction.emotion,
            probabilities=prediction.probabilities,
        )


def for_account(account: Account) -> Learnt:
    """The account's adjustment for the shared model in use (one learnt for an older model is
    ignored until the next correction retrains it)."""
    stored = AccountAdjustment.objects.for_account(account).filter(model_version=model().version).first()
    if stored is None or not stored.weights:
        return Learnt()
    data = stored.weights
    weights = None
    if data.get("deltas"):
        deltas = {int(key): value for key, value in data["deltas"].items()}
        weights = Adjustment(deltas, data["bias"])
    return Learnt(weights=weights, memory=data.get("memory") or {})


def queue_training(account_id: int) -> None:
    from empaty.analysis_tasks import train_adjustment

    if cache.add(QUEUED_KEY.format(account_id=account_id), 1, timeout=30):
        train_adjustment.apply_async((account_id,), countdown=2)


def train(account: Account) -> AccountAdjustment:
    """Fit the account's deltas on its corrected messages and store them (replacing the last)."""
    cache.delete(QUEUED_KEY.format(account_id=account.id))
    corrected = list(
        MessageAnalysis.objects.for_account(account)
        .exclude(corrected_polarity="", corrected_emotion="")
        .select_related("message")
        .order_by("-corrected_at")[:MAX_CORRECTIONS]
    )
    shared = model()
    memory = {
        text_key(row.message.text): {"polarity": row.corrected_polarity, "emotion": row.corrected_emotion}
        for row in reversed(corrected)  # the newest correction of a text wins
    }
    deltas, bias = fit(
        shared, [(row.message.text, row.corrected_polarity, row.corrected_emotion) for row in corrected]
    )
    with transaction.atomic():
        stored, _ = (
            AccountAdjustment.objects.for_account(account).select_for_update().get_or_create(account=account)
        )
        stored.weights = {"deltas": deltas, "bias": bias, "memory": memory}
        stored.corrections = len(corrected)
        stored.model_version = shared.version
        stored.trained_at = timezone.now()
        stored.save()
    return stored


def fit(shared: Model, examples: list[tuple[str, str, str]]) -> tuple[dict[str, list[float]], list[float]]:
    """Stochastic gradient descent of the softmax loss of the corrected head(s), on deltas that
    start at zero, added to the shared model's scores; a small L2 keeps them close to it."""
    vectors = [shared.vectorise(text) for text, _, _ in examples]
    base = shared.scores([text for text, _, _ in examples])  # one batch
    deltas: dict[int, np.ndarray] = {}
    bias = np.zeros(len(POLARITIES) + len(EMOTIONS), dtype=np.float32)
    rng = np.random.default_rng(0)
    for _ in range(EPOCHS):
        for i in rng.permutation(len(examples)):
            indices, values = vectors[i]
            scores = base[i] + bias + _delta(deltas, indices, values)
            gradient = np.zeros_like(bias)
            for head, labels, offset in HEADS:
                wanted = examples[i][1] if head == "polarity" else examples[i][2]
                if not wanted:
                    continue
                part = scores[offset : offset + len(labels)]
                probabilities = np.exp(part - part.max())
                probabilities /= probabilities.sum()
                probabilities[labels.index(wanted)] -= 1.0
                gradient[offset : offset + len(labels)] = probabilities
            for j, value in zip(indices.tolist(), values.tolist(), strict=True):
                row = deltas.setdefault(j, np.zeros_like(bias))
                row -= LEARNING_RATE * (value * gradient + L2 * row)
            bias -= LEARNING_RATE * 0.1 * gradient
    kept = {
        str(j): [round(float(v), 4) for v in row] for j, row in deltas.items() if np.abs(row).max() >= KEEP
    }
    return kept, [round(float(v), 4) for v in bias]


def _delta(deltas: dict[int, np.ndarray], indices: np.ndarray, values: np.ndarray) -> np.ndarray:
    total = np.zeros(len(POLARITIES) + len(EMOTIONS), dtype=np.float32)
    for j, value in zip(indices.tolist(), values.tolist(), strict=True):
        if j in deltas:
            total += value * deltas[j]
    return total
