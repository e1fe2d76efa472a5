"""Banco Nación's "billete" dollar rate for charges (BIL-2): ``rate_for(day)`` and the periodic
``refresh()`` (billing/rates/service.py); the page and mirror readers in parse.py and fetch.py."""

from billing.rates.service import RateUnavailable, rate_for, refresh

__all__ = ["RateUnavailable", "rate_for", "refresh"]
