"""Celery tasks of the audience: thin adapters over the services, safe to run twice."""

from __future__ import annotations

# --- Imports (AUD-2) -------------------------------------------------------------------------

# --- Exports (AUD-4) -------------------------------------------------------------------------
