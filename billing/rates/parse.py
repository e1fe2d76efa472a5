"""Reading Banco Nación's "billete" USD quote from its personas page or from a JSON mirror.

Both readers return a checked ``Quote`` or raise ``QuoteError``; they never guess a number.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import lxml.etree
import lxml.html
from django.utils import timezone

# Quote dates and "today" are Buenos Aires days, whatever the account's zone.
BUENOS_AIRES = zoneinfo.ZoneInfo("America/Argentina/Buenos_Aires")
# A seller rate outside this band is a misread page, not a rate (ARS per USD).
PLAUSIBLE = (Decimal(1), Decimal(100_000))
PLACES = Decimal("0.0001")  # ExchangeRate's decimal places

# "1.065,00" (BNA), "1065,5", "1065.50", "1,065.50" and "1.065" (a thousands dot).
_NUMBER_FORMATS = (
    (re.compile(r"\d{1,3}(?:\.\d{3})*,\d+|\d+,\d+"), ".", ","),  # decimal comma
    (re.compile(r"\d{1,3}(?:,\d{3})+\.\d+"), ",", "."),  # thousands comma, decimal dot
    (re.compile(r"\d{1,3}(?:\.\d{3})+"), ".", ""),  # thousands dots only
    (re.compile(r"\d+(?:\.\d+)?"), "", "."),  # plain, decimal dot
)
# "Dolar U.S.A", "Dólar U.S.A." and a mis-decoded "D\ufffdlar" or "DÃ³lar", once _words() ran.
_DOLLAR = re.compile(r"d\w{0,2}larusa")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class QuoteError(Exception):
    """The page or the mirror could not be read into a trustworthy quote; says why."""


@dataclass(frozen=True)
class Quote:
    quote_date: date
    seller: Decimal
    buyer: Decimal | None


def today() -> date:
    return timezone.now().astimezone(BUENOS_AIRES).date()


def parse_number(text: str) -> Decimal:
    """A rate as BNA or a mirror writes it; QuoteError for anything else."""
    raw = "".join(text.split()).removeprefix("$")
    for pattern, thousands, decimal in _NUMBER_FORMATS:
        if pattern.fullmatch(raw):
            normal = raw.replace(thousands, "") if thousands else raw
            return Decimal(normal.replace(decimal, ".") if decimal else normal)
    raise QuoteError(f"not a number: {text.strip()!r}")


def check(quote: Quote) -> Quote:
    """The sanity checks every quote passes before it is stored, fetched or entered by staff."""
    low, high = PLAUSIBLE
    if not low <= quote.seller <= high:
        raise QuoteError(f"seller rate {quote.seller} is outside the plausible band {low}..{high}")
    if quote.buyer is not None:
        if quote.buyer <= 0:
            raise QuoteError(f"buyer rate {quote.buyer} is not positive")
        if quote.buyer > quote.seller:
            raise QuoteError(f"buyer rate {quote.buyer} is above the seller rate {quote.seller}")
    if quote.quote_date > today():
        raise QuoteError(f"quote date {quote.quote_date} is in the future")
    return Quote(
        quote_date=quote.quote_date,
        seller=quote.seller.quantize(PLACES, rounding=ROUND_HALF_UP),
        buyer=None if quote.buyer is None else quote.buyer.quantize(PLACES, rounding=ROUND_HALF_UP),
    )


def _words(element: lxml.html.HtmlElement) -> str:
    """The cell's text, accents and punctuation dropped, lower case: "Dólar U.S.A." -> "dolarusa"."""
    text = unicodedata.normalize("NFKD", element.text_content())
    return "".join(char for char in text if char.isalnum() and not unicodedata.combining(char)).lower()


def _parse_date(text: str) -> date:
    match = _DATE.search(text)
    if match is None:
        raise QuoteError(f"no dd/mm/yyyy quote date in {text.strip()!r}")
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise QuoteError(f"not a date: {match.group(0)!r}") from None


def parse_bna(html: str) -> Quote:
    """The "Dolar U.S.A" row of the ``#billetes`` table: Venta is the seller rate, Compra the
    buyer's, ``th.fechaCot`` the quote date."""
    try:
        page = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as error:
        raise QuoteError(f"unreadable page: {error}") from None
    boxes = page.xpath('//*[@id="billetes"]')
    if not boxes:
        raise QuoteError('no "billetes" table on the page')
    box = boxes[0]
    tables = [box] if box.tag == "table" else box.xpath(".//table")
    if not tables:
        raise QuoteError('no "billetes" table on the page')
    table = tables[0]
    dates = table.xpath('.//th[contains(concat(" ", normalize-space(@class), " "), " fechaCot ")]')
    if not dates:
        raise QuoteError('no quote date (th.fechaCot) in the "billetes" table')
    quote_date = _parse_date(dates[0].text_content())
    buy_column, sell_column = 1, 2  # label, Compra, Venta: BNA's order when there is no header
    for row in table.xpath(".//tr"):
        headers = [_words(cell) for cell in row.xpath("./th|./td")]
        if "compra" in headers and "venta" in headers:
            buy_column, sell_column = headers.index("compra"), headers.index("venta")
            break
    for row in table.xpath(".//tr"):
        cells = row.xpath("./th|./td")
        if not cells or not _DOLLAR.match(_words(cells[0])):
            continue
        if len(cells) <= max(buy_column, sell_column):
            raise QuoteError("the Dolar U.S.A row has fewer cells than the header")
        seller = parse_number(cells[sell_column].text_content())
        buyer = parse_number(cells[buy_column].text_content())
        return check(Quote(quote_date=quote_date, seller=seller, buyer=buyer))
    raise QuoteError('no "Dolar U.S.A" row in the "billetes" table')


def _mirror_number(data: dict[str, Any], key: str) -> Decimal | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return parse_number(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise QuoteError(f"mirror field {key!r} is not a number: {value!r}")
    return Decimal(str(value))  # a JSON number: its dot is a decimal point


def parse_mirror(data: object) -> Quote:
    """dolarapi.com's shape: ``{"compra": 1315, "venta": 1365, "fechaActualizacion": ISO}``."""
    if not isinstance(data, dict):
        raise QuoteError("the mirror did not answer a JSON object")
    seller = _mirror_number(data, "venta")
    if seller is None:
        raise QuoteError("the mirror's answer has no 'venta'")
    stamp = data.get("fechaActualizacion")
    try:
        updated = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        updated = None
    if updated is None or updated.tzinfo is None:
        raise QuoteError(f"the mirror's fechaActualizacion is not an ISO date-time with zone: {stamp!r}")
    quote_date = updated.astimezone(BUENOS_AIRES).date()
    return check(Quote(quote_date=quote_date, seller=seller, buyer=_mirror_number(data, "compra")))
