"""The dollar rate provider through its real HTTP adapter, against a local fake of Banco Nación's
page and of the JSON mirror (saved pages in tests/billing/pages/)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import LazySettings
from django.core.mail import EmailMessage

from billing.models import ExchangeRate, RateSource
from billing.rates import RateUnavailable, rate_for, refresh
from billing.rates.parse import BUENOS_AIRES
from billing.tasks_rates import fetch_rate

pytestmark = pytest.mark.usefixtures("english")

PAGES = Path(__file__).parent / "pages"
FRIDAY = date(2025, 9, 5)  # the saved pages' quote date
MIRROR = {"moneda": "USD", "compra": 1335, "venta": 1385.5, "fechaActualizacion": "2025-09-05T14:05:00.000Z"}


@dataclass
class FakeSources:
    """What the fake answers on /bna (a saved page, or an HTTP status) and /mirror."""

    url: str
    bna: str | int = "bna_normal.html"
    mirror: dict[str, Any] | int = field(default_factory=lambda: dict(MIRROR))
    hits: Counter[str] = field(default_factory=Counter)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSources

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.fake.hits[self.path] += 1
        answer = self.fake.bna if self.path == "/bna" else self.fake.mirror
        if isinstance(answer, int):
            self._send(answer, "text/plain", b"Service Unavailable")
        elif isinstance(answer, str):
            self._send(200, "text/html; charset=utf-8", (PAGES / answer).read_bytes())
        else:
            self._send(200, "application/json", json.dumps(answer).encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def sources(settings: LazySettings, db: None) -> Iterator[FakeSources]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    fake = FakeSources(url=f"http://127.0.0.1:{server.server_address[1]}")
    _Handler.fake = fake
    settings.BNA_RATE_URL = f"{fake.url}/bna"
    settings.BNA_RATE_MIRROR_URL = f"{fake.url}/mirror"
    settings.BILLING_STAFF_EMAILS = ["billing-staff@spoter.test"]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def on(day: date, hour: int = 15) -> time_machine.travel:
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=BUENOS_AIRES), tick=False)


def snapshot(quote_date: date, seller: str, source: RateSource = RateSource.BNA) -> ExchangeRate:
    fetched_at = datetime(quote_date.year, quote_date.month, quote_date.day, 12, tzinfo=BUENOS_AIRES)
    return ExchangeRate.objects.create(
        source=source, quote_date=quote_date, fetched_at=fetched_at, seller=Decimal(seller)
    )


def broken(sources: FakeSources) -> None:
    sources.bna = "bna_broken.html"
    sources.mirror = 503


def test_it_fetches_bna_once_a_day_and_reuses_the_snapshot(sources: FakeSources) -> None:
    with on(FRIDAY, hour=11):
        rate = rate_for(FRIDAY)
        assert (rate.source, rate.quote_date, rate.seller, rate.buyer) == (
            RateSource.BNA,
            FRIDAY,
            Decimal("1390"),
            Decimal("1340"),
        )
    # A renewal sweep later that day asks again for every account: no new request, same row.
    with on(FRIDAY, hour=23):
        assert {rate_for(FRIDAY).id for _ in range(20)} == {rate.id}
    assert sources.hits == Counter({"/bna": 1})
    with on(FRIDAY + timedelta(days=1), hour=9):
        assert rate_for(FRIDAY + timedelta(days=1)).id != rate.id
    assert sources.hits == Counter({"/bna": 2})
    assert ExchangeRate.objects.count() == 2


@pytest.mark.parametrize("bna", ["bna_broken.html", "bna_garbage.html", 500])
def test_a_broken_bna_page_falls_back_to_the_mirror(
    sources: FakeSources, bna: str | int, mailoutbox: list[EmailMessage]
) -> None:
    sources.bna = bna
    with on(FRIDAY):
        rate = rate_for(FRIDAY)
    assert (rate.source, rate.quote_date, rate.seller, rate.buyer) == (
        RateSource.MIRROR,
        FRIDAY,
        Decimal("1385.5"),
        Decimal("1335"),
    )
    assert sources.hits == Counter({"/bna": 1, "/mirror": 1})
    assert mailoutbox == []


def test_both_broken_alert_staff_and_use_a_recent_snapshot(
    sources: FakeSources, mailoutbox: list[EmailMessage]
) -> None:
    broken(sources)
    two_days_old = snapshot(FRIDAY - timedelta(days=2), "1370")
    snapshot(FRIDAY - timedelta(days=5), "1300")
    with on(FRIDAY):
        assert rate_for(FRIDAY) == two_days_old
        # The rest of the sweep neither waits for the sources again nor floods staff.
        assert rate_for(FRIDAY) == two_days_old
    assert sources.hits == Counter({"/bna": 1, "/mirror": 1})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["billing-staff@spoter.test"]
    assert 'no "billetes" table' in mailoutbox[0].body
    assert "HTTP 503" in mailoutbox[0].body
    assert "1370" in mailoutbox[0].body
    assert ExchangeRate.objects.count() == 2  # nothing made up


def test_both_broken_and_only_an_old_snapshot_is_unavailable(
    sources: FakeSources, mailoutbox: list[EmailMessage]
) -> None:
    broken(sources)
    snapshot(FRIDAY - timedelta(days=4), "1360")
    with on(FRIDAY), pytest.raises(RateUnavailable, match="enter a manual rate"):
        rate_for(FRIDAY)
    assert len(mailoutbox) == 1
    assert ExchangeRate.objects.count() == 1


def test_a_manual_rate_for_the_day_wins(sources: FakeSources) -> None:
    manual = snapshot(FRIDAY, "1400", source=RateSource.MANUAL)
    with on(FRIDAY):
        snapshot(FRIDAY, "1390")  # fetched earlier that day
        assert rate_for(FRIDAY) == manual
    assert sources.hits == Counter()


def test_a_past_day_uses_what_was_fetched_then_and_never_todays_page(sources: FakeSources) -> None:
    wednesday = snapshot(FRIDAY - timedelta(days=2), "1370")
    with on(FRIDAY):
        assert rate_for(FRIDAY - timedelta(days=2)) == wednesday
        assert rate_for(FRIDAY - timedelta(days=1)) == wednesday  # nothing fetched on Thursday
        with pytest.raises(RateUnavailable):
            rate_for(FRIDAY - timedelta(days=10))
    assert sources.hits == Counter()


def test_refresh_stores_a_new_snapshot_only_when_the_rate_changed(sources: FakeSources) -> None:
    with on(FRIDAY, hour=9):
        first = refresh()
    with on(FRIDAY, hour=12):
        assert refresh() == first
        sources.bna = "bna_theadless.html"  # BNA moved the rate
        second = refresh()
    assert first is not None
    assert second is not None
    assert (second.seller, second.quote_date) == (Decimal("1391.5"), FRIDAY)
    first.refresh_from_db()
    assert first.seller == Decimal("1390")  # a snapshot never changes
    with on(FRIDAY, hour=18):
        assert rate_for(FRIDAY) == second
    assert sources.hits == Counter({"/bna": 3})
    assert ExchangeRate.objects.count() == 2


def test_refresh_failures_alert_staff_once_a_day(
    sources: FakeSources, mailoutbox: list[EmailMessage]
) -> None:
    broken(sources)
    with on(FRIDAY, hour=9):
        assert refresh() is None
    with on(FRIDAY, hour=12):
        assert refresh() is None
    assert sources.hits == Counter({"/bna": 2, "/mirror": 2})  # refresh always tries
    assert len(mailoutbox) == 1
    with on(FRIDAY + timedelta(days=1), hour=9):
        assert refresh() is None
    assert len(mailoutbox) == 2
    assert ExchangeRate.objects.count() == 0


def test_no_staff_addresses_means_a_logged_error_only(
    sources: FakeSources,
    settings: LazySettings,
    mailoutbox: list[EmailMessage],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.BILLING_STAFF_EMAILS = []
    broken(sources)
    with on(FRIDAY):
        assert refresh() is None
    assert mailoutbox == []
    assert "dollar rate unavailable" in caplog.text


def test_the_periodic_task_records_the_snapshot(sources: FakeSources) -> None:
    with on(FRIDAY):
        snapshot_id = fetch_rate.apply().get()
    assert isinstance(snapshot_id, int)
    assert ExchangeRate.objects.get(id=snapshot_id).seller == Decimal("1390")


def test_a_page_stuck_on_an_old_quote_is_not_todays_rate(sources: FakeSources) -> None:
    """A cached page or a stuck mirror more than 3 days old: the fallback window decides, not it."""
    with on(FRIDAY + timedelta(days=5)), pytest.raises(RateUnavailable, match="more than 3 days old"):
        rate_for(FRIDAY + timedelta(days=5))
    assert not ExchangeRate.objects.exists()
