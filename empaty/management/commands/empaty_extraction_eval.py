"""``python manage.py empaty_extraction_eval [FILE.tsv] [--errors]``: precision and recall of the
personal-data extraction (EMP-2) on ``text<TAB>field=value;field=value`` lines, as one JSON object.

A line's expected data is a set of (field, value) pairs, empty when the text states nothing; a
pair read that is not expected is a false positive, one expected and not read a false negative.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from empaty.extraction import extract

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "extraction" / "test.tsv"
Pair = tuple[str, str]


def read_cases(path: Path) -> list[tuple[str, set[Pair]]]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        text, tab, expected = line.partition("\t")
        pairs = [item.partition("=") for item in expected.split(";") if item.strip()]
        if not tab or any(not field or not value for field, _, value in pairs):
            raise CommandError(f"{path}:{number}: expected text<TAB>field=value;field=value")
        cases.append((text, {(field.strip(), value.strip()) for field, _, value in pairs}))
    return cases


def score(cases: list[tuple[str, set[Pair]]]) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {}
    errors = []
    for text, expected in cases:
        found = {(item.field, item.value) for item in extract(text)}
        for kind, pairs in (("tp", found & expected), ("fp", found - expected), ("fn", expected - found)):
            for field, _ in pairs:
                counts.setdefault(field, Counter())[kind] += 1
        if found != expected:
            errors.append(
                {"text": text, "extra": sorted(found - expected), "missed": sorted(expected - found)}
            )
    total = sum(counts.values(), Counter())
    return {
        "lines": len(cases),
        "lines_without_data": sum(1 for _, expected in cases if not expected),
        **_rates(total),
        "fields": {field: _rates(counts[field]) for field in sorted(counts)},
        "errors": errors,
    }


def _rates(counts: Counter[str]) -> dict[str, Any]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


class Command(BaseCommand):
    help = (
        "Scores the personal-data extraction on text<TAB>field=value;... lines: precision, recall, per field."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", default=DEFAULT)
        parser.add_argument("--errors", action="store_true", help="list the lines read wrong")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = score(read_cases(path))
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: {error}") from error
        if not options["errors"]:
            del result["errors"]
        self.stdout.write(json.dumps(result, ensure_ascii=False))
