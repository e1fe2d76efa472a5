"""The HTTP side: Banco Nación's personas page and the JSON mirror, through the shared client."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
from django.conf import settings

from billing.models import RateSource
from billing.rates.parse import Quote, QuoteError, parse_bna, parse_mirror, today
from spoter.http import shared_client

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# BNA's site refuses some clients without a browser-like User-Agent.
HEADERS = {"User-Agent": "Mozilla/5.0 (compatible; Spoter billing; +https://spoter.local)"}


def _get(url: str, what: str) -> httpx.Response:
    try:
        response = shared_client().get(url, timeout=TIMEOUT, headers=HEADERS, follow_redirects=True)
    except httpx.HTTPError as error:
        raise QuoteError(f"{what} ({url}) did not answer: {error!r}") from None
    if response.status_code != httpx.codes.OK:
        raise QuoteError(f"{what} ({url}) answered HTTP {response.status_code}")
    return response


# A quote older than this is a cached page or a stuck mirror, not today's rate (rates.service's
# fallback window is the same).
MAX_AGE_DAYS = 3


def _fresh(quote: Quote) -> Quote:
    if quote.quote_date < today() - timedelta(days=MAX_AGE_DAYS):
        raise QuoteError(f"the quote of {quote.quote_date} is more than {MAX_AGE_DAYS} days old")
    return quote


def fetch_bna() -> Quote:
    response = _get(settings.BNA_RATE_URL, "Banco Nación's page")
    try:
        return _fresh(parse_bna(response.text))
    except QuoteError as error:
        raise QuoteError(f"Banco Nación's page ({settings.BNA_RATE_URL}): {error}") from None


def fetch_mirror() -> Quote:
    response = _get(settings.BNA_RATE_MIRROR_URL, "the rate mirror")
    try:
        return _fresh(parse_mirror(response.json()))
    except ValueError:
        raise QuoteError(f"the rate mirror ({settings.BNA_RATE_MIRROR_URL}) did not answer JSON") from None
    except QuoteError as error:
        raise QuoteError(f"the rate mirror ({settings.BNA_RATE_MIRROR_URL}): {error}") from None


def fetch() -> tuple[RateSource, Quote]:
    """BNA's page, else the mirror; QuoteError saying why both failed."""
    try:
        return RateSource.BNA, fetch_bna()
    except QuoteError as bna_error:
        log.warning("dollar rate: %s; trying the mirror", bna_error)
        try:
            return RateSource.MIRROR, fetch_mirror()
        except QuoteError as mirror_error:
            raise QuoteError(f"{bna_error}; {mirror_error}") from None
