"""The shipped model: safe to load, trained on the data in the repository, sensible, and the same
numbers as training computes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from empaty import training
from empaty.classifier import EMOTIONS, POLARITIES, WEIGHTS, model
from empaty.text import features, normalise


def test_the_weights_load_without_pickles_and_name_their_version() -> None:
    with np.load(WEIGHTS, allow_pickle=False) as data:
        assert {array.dtype.kind for array in data.values()} <= {"f", "u"}  # numbers and UTF-8 bytes
    assert model().version.startswith("1-")


def test_the_shipped_weights_were_trained_on_the_data_in_the_repository() -> None:
    """Editing empaty/data without `make train-empaty` fails here."""
    assert model().meta["data_sha256"] == training.data_fingerprint()
    assert model().meta["parameters"] == json.loads(json.dumps(training.parameters()))


@pytest.mark.parametrize(
    ("text", "polarity", "emotion"),
    [
        ("Muchísimas gracias!! Me encantó el pedido, son unos genios 😍", "positive", "joy"),
        ("Es una vergüenza, hace dos semanas que espero y nadie me responde 😡", "negative", "anger"),
        ("Hola, ¿a qué hora abren el sábado?", "neutral", "others"),
        ("tengo miedo de que me estafen, pagué y no tengo ningún comprobante", "negative", "fear"),
        ("qué asco, la comida vino con un pelo 🤮", "negative", "disgust"),
        ("me puse re triste, era un regalo para mi vieja y llegó roto 😢", "negative", "sadness"),
    ],
)
def test_clear_messages_get_their_labels(text: str, polarity: str, emotion: str) -> None:
    prediction = model().predict([text])[0]
    assert (prediction.polarity, prediction.emotion) == (polarity, emotion)


def test_probabilities_and_score() -> None:
    texts = ["gracias!", "", "😡😡😡", "a" * 5000]
    for prediction in model().predict(texts):
        assert set(prediction.probabilities["polarity"]) == set(POLARITIES)
        assert set(prediction.probabilities["emotion"]) == set(EMOTIONS)
        for head in ("polarity", "emotion"):
            assert math.isclose(sum(prediction.probabilities[head].values()), 1.0, abs_tol=1e-3)
        assert -1.0 <= prediction.score <= 1.0


def test_a_batch_gives_what_each_message_gives_alone() -> None:
    texts = ["hola", "no me llegó nada, estoy podrido", "", "gracias genia", "hola"]
    together = model().scores(texts)
    for row, text in enumerate(texts):
        assert np.allclose(together[row], model().scores([text])[0], atol=1e-5)


def test_run_time_features_are_the_ones_training_computed() -> None:
    shared = model()
    vocabulary = shared.index
    texts = ["Holaaa q tal, tenés stock del modelo azul?? 😂", "NO ME LLEGÓ NADA!!!", "ok"]
    expected = training.matrix([features(normalise(text)) for text in texts], vocabulary, shared.idf)
    rows, cols, values = shared.vectorise_batch(texts)
    computed = np.zeros((len(texts), len(vocabulary)))
    computed[rows, cols] = values
    assert np.allclose(computed, expected.toarray(), atol=1e-5)  # type: ignore[attr-defined]
