"""``python manage.py empaty_train`` (``make train-empaty``): retrains the shared model from the
versioned data and rewrites empaty/weights/empaty.npz and empaty/data/heldout/."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from empaty.training import train


class Command(BaseCommand):
    help = "Trains EMPATY's polarity and emotion model from empaty/data (needs the dev dependencies)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(train(), indent=2, sort_keys=True))
