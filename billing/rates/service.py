"""Which dollar rate a charge uses (BIL-2): staff's manual rate for the day, else the snapshot
fetched that day, else a fresh fetch, else (staff alerted) a snapshot no older than 3 days.
Never a made-up rate; snapshots are never modified, since invoices point at them."""

from __future__ import annotations

import contextlib
import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import ExchangeRate, RateSource
from billing.rates import fetch
from billing.rates.parse import BUENOS_AIRES, Quote, QuoteError, today

log = logging.getLogger(__name__)

FALLBACK_DAYS = fetch.MAX_AGE_DAYS
# After both sources failed, rate_for stops asking them for a while, so a renewal sweep over
# hundreds of accounts does not wait for two timeouts per account. refresh() always asks.
RETRY_AFTER_SECONDS = 15 * 60
_FAILED_KEY = "billing:rates:fetch-failed"
_LOCK_KEY = 0x5B07E4A7E  # pg_advisory_xact_lock: one writer of fetched snapshots at a time


class RateUnavailable(Exception):  # noqa: N818  # the name the billing interfaces agreed on
    """No trustworthy dollar rate for the day; the message says what staff can do."""


def _fetched_on(day: date) -> QuerySet[ExchangeRate]:
    start = datetime.combine(day, time.min, tzinfo=BUENOS_AIRES)
    return ExchangeRate.objects.exclude(source=RateSource.MANUAL).filter(
        fetched_at__gte=start, fetched_at__lt=start + timedelta(days=1)
    )


def rate_for(day: date) -> ExchangeRate:
    """The snapshot a charge on ``day`` (a Buenos Aires date) uses. Raises RateUnavailable."""
    manual = ExchangeRate.objects.filter(source=RateSource.MANUAL, quote_date=day).first()
    if manual is not None:
        return manual
    fetched = _fetched_on(day).first()
    if fetched is not None:
        return fetched
    if day < today():
        # BNA's page only shows the current rate: nothing to fetch for a past day.
        return _fallback(day, _("no snapshot was fetched on %(day)s") % {"day": day}, alert=False)
    if cache.get(_FAILED_KEY):
        return _fallback(day, _("Banco Nación's page and the mirror failed a few minutes ago"), alert=True)
    try:
        return _fetch_and_store()
    except QuoteError as failure:
        return _fallback(day, str(failure), alert=True)


def refresh() -> ExchangeRate | None:
    """The periodic fetch: today's snapshot (a new one only when the rate changed), or None when
    both sources failed (staff alerted, at most once a day)."""
    try:
        return _fetch_and_store()
    except QuoteError as failure:
        with contextlib.suppress(RateUnavailable):  # staff are told either way
            _fallback(today(), str(failure), alert=True)
        return None


def _fetch_and_store() -> ExchangeRate:
    try:
        source, quote = fetch.fetch()
    except QuoteError:
        cache.set(_FAILED_KEY, True, RETRY_AFTER_SECONDS)
        raise
    return _store(source, quote)


def _store(source: RateSource, quote: Quote) -> ExchangeRate:
    """A new snapshot, unless the newest one fetched today says the same."""
    with transaction.atomic():
        if connection.vendor == "postgresql":  # SQLite (the embedded default) has one writer anyway
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        newest = _fetched_on(today()).first()
        if newest is not None and (newest.source, newest.quote_date, newest.seller) == (
            source,
            quote.quote_date,
            quote.seller,
        ):
            return newest
        return ExchangeRate.objects.create(
            source=source,
            quote_date=quote.quote_date,
            fetched_at=timezone.now(),
            seller=quote.seller,
            buyer=quote.buyer,
        )


def _fallback(day: date, error: str, *, alert: bool) -> ExchangeRate:
    """The newest snapshot quoted within FALLBACK_DAYS before ``day``. Staff hear about failed
    fetches and about a day left without a rate."""
    recent = (
        ExchangeRate.objects.filter(quote_date__lte=day, quote_date__gte=day - timedelta(days=FALLBACK_DAYS))
        .order_by("-quote_date", "-fetched_at", "-id")
        .first()
    )
    if alert or recent is None:
        _alert(error, fallback=recent)
    else:
        log.warning("dollar rate for %s: %s; using %s", day, error, recent)
    if recent is None:
        raise RateUnavailable(
            _(
                "No dollar rate for %(day)s: %(error)s. No snapshot is quoted within %(days)s days "
                "before it; enter a manual rate for that day in the admin."
            )
            % {"day": day, "error": error, "days": FALLBACK_DAYS}
        )
    return recent


def _alert(error: str, fallback: ExchangeRate | None) -> None:
    """Log the failure; email BILLING_STAFF_EMAILS once per Buenos Aires day at most."""
    log.error("dollar rate unavailable: %s; falling back to %s", error, fallback or "nothing")
    if not settings.BILLING_STAFF_EMAILS:
        return
    if not cache.add(f"billing:rates:alerted:{today()}", True, 2 * 86400):
        return  # already told today
    used = str(fallback) if fallback else _("none: charges wait until a rate is available")
    body = _(
        "Spoter could not fetch Banco Nación's dollar rate.\n\n%(error)s\n\nRate used meanwhile: "
        "%(used)s\n\nCheck the sources, or enter a manual rate at %(url)s"
    ) % {"error": error, "used": used, "url": f"{settings.SITE_URL}/admin/billing/exchangerate/add/"}
    try:
        send_mail(_("Dollar rate unavailable"), body, None, settings.BILLING_STAFF_EMAILS)
    except OSError:
        log.exception("could not email staff about the dollar rate")
