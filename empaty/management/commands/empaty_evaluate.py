"""``python manage.py empaty_evaluate FILE.tsv [--task emotion|polarity]``: one JSON object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from empaty.classifier import model
from empaty.evaluation import EvaluationError, evaluate, read_tsv


class Command(BaseCommand):
    help = (
        "Scores EMPATY on text<TAB>label lines: macro-F1 with a bootstrap 95% interval, accuracy, per class."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--task", choices=["emotion", "polarity"], default="emotion")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            texts, gold = read_tsv(path, options["task"])
        except (EvaluationError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(json.dumps(evaluate(model(), texts, gold, options["task"])))
