"""`manage.py empaty_evaluate FILE.tsv`: how anyone checks the model on data it never saw."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from empaty.classifier import model
from empaty.evaluation import macro_f1


def evaluate(path: Path, *args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("empaty_evaluate", str(path), *args, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_the_report(tmp_path: Path) -> None:
    texts = ["Gracias, me encantó!", "¿Cuánto sale el envío a Rosario?", "Es un desastre, quiero mi plata ya"]
    predicted = [prediction.emotion for prediction in model().predict(texts)]
    path = tmp_path / "mine.tsv"
    path.write_text("".join(f"{t}\t{label}\n" for t, label in zip(texts, predicted, strict=True)) + "\n")
    result = evaluate(path)
    assert result["macro_f1"] == 1.0
    assert result["accuracy"] == 1.0
    assert result["macro_f1_ci95"] == [1.0, 1.0]
    assert result["messages"] == 3
    assert result["task"] == "emotion"
    assert set(result["per_class"]) == {"joy", "sadness", "anger", "fear", "surprise", "disgust", "others"}
    assert isinstance(result["messages_per_second"], int)


def test_polarity_task_and_a_wrong_answer(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    path.write_text("Gracias, me encantó!\tnegative\nEs un desastre, quiero mi plata ya\tnegative\n")
    result = evaluate(path, "--task", "polarity")
    assert result["accuracy"] == 0.5
    per_class = result["per_class"]
    assert per_class["negative"]["recall"] == 0.5
    assert per_class["negative"]["precision"] == 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("hola\tjoy\nchau\tfeliz\n", "line 2: expected text<TAB>label"),
        ("sin tabulador\n", "line 1"),
        ("\n\n", "no labelled lines"),
    ],
)
def test_bad_files_get_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        evaluate(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        evaluate(tmp_path / "nope.tsv")


def test_macro_f1_counts_only_the_classes_present() -> None:
    assert macro_f1(["joy", "anger"], ["joy", "joy"], ["joy", "anger", "fear"]) == pytest.approx(
        (2 / 3 + 0) / 2
    )
