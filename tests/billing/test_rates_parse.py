"""The BNA page and mirror readers against saved copies of the page (tests/billing/pages/)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing.rates.parse import Quote, QuoteError, parse_bna, parse_mirror, parse_number

PAGES = Path(__file__).parent / "pages"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_it_reads_the_billete_row_of_a_normal_page_not_the_divisas_one() -> None:
    assert parse_bna(page("bna_normal.html")) == Quote(date(2025, 9, 5), Decimal("1390"), Decimal("1340"))


def test_it_reads_a_table_without_thead_and_an_accented_dolar() -> None:
    assert parse_bna(page("bna_theadless.html")) == Quote(
        date(2025, 9, 5), Decimal("1391.5"), Decimal("1341.5")
    )


def test_it_follows_the_header_order_and_other_number_formats() -> None:
    # Venta before Compra here, "1392.75" and "1342,5".
    assert parse_bna(page("bna_formats.html")) == Quote(
        date(2025, 9, 4), Decimal("1392.75"), Decimal("1342.5")
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [("bna_broken.html", 'no "billetes" table'), ("bna_garbage.html", "not a number: '--'")],
)
def test_a_broken_page_is_an_error_not_a_rate(name: str, reason: str) -> None:
    with pytest.raises(QuoteError, match=reason):
        parse_bna(page(name))


@pytest.mark.parametrize(
    ("replace", "by", "reason"),
    [
        ("1.390,00", "0,00", "outside the plausible band"),
        ("1.390,00", "139.000,00", "outside the plausible band"),
        ("1.340,00", "1.400,00", "above the seller rate"),
        ("1.340,00", "-5", "not a number"),
        ("1.390,00", "1,390,00", "not a number"),
        ("1.390,00", "", "not a number"),
        ('<th class="fechaCot">5/9/2025</th>', "<th>5/9/2025</th>", "no quote date"),
        ("5/9/2025</th>\n              <th>Compra", "31/2/2025</th><th>Compra", "not a date"),
        ("5/9/2025</th>\n              <th>Compra", "hoy</th><th>Compra", "no dd/mm/yyyy"),
        ("5/9/2025</th>\n              <th>Compra", "5/9/2999</th><th>Compra", "in the future"),
        ("Dolar U.S.A</td>\n              <td>1.340", "Dolar Blue</td><td>1.340", 'no "Dolar U.S.A" row'),
    ],
)
def test_nonsense_on_a_normal_page_is_an_error(replace: str, by: str, reason: str) -> None:
    html = page("bna_normal.html")
    assert replace in html
    with pytest.raises(QuoteError, match=reason):
        parse_bna(html.replace(replace, by, 1))


@pytest.mark.parametrize("label", ["D\ufffdlar U.S.A", "DÃ³lar U.S.A.", "  DOLAR   U. S. A. "])
def test_a_dollar_label_written_or_decoded_otherwise_is_found(label: str) -> None:
    html = page("bna_normal.html").replace("Dolar U.S.A", label, 1)
    assert parse_bna(html).seller == Decimal("1390")


def test_an_empty_page_is_an_error() -> None:
    with pytest.raises(QuoteError):
        parse_bna("")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.065,00", "1065.00"),
        ("1065,5", "1065.5"),
        ("1065.50", "1065.50"),
        (" $ 1.065,25 ", "1065.25"),
        ("1,065.50", "1065.50"),
        ("1.065", "1065"),
        ("1.065.000,1", "1065000.1"),
        ("987", "987"),
    ],
)
def test_numbers_in_the_formats_bna_and_mirrors_use(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "1.06,00", "1,0,0", "12e3", "1..2", "-1065", "1065,"])
def test_other_numbers_are_refused(text: str) -> None:
    with pytest.raises(QuoteError, match="not a number"):
        parse_number(text)


def test_the_mirror_json() -> None:
    data = {"compra": 1340, "venta": 1390.5, "fechaActualizacion": "2025-09-05T02:30:00.000Z"}
    # 02:30 UTC is still the 4th in Buenos Aires.
    assert parse_mirror(data) == Quote(date(2025, 9, 4), Decimal("1390.5"), Decimal("1340"))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([], "not answer a JSON object"),
        ({"compra": 1340, "fechaActualizacion": "2025-09-05T12:00:00Z"}, "no 'venta'"),
        ({"venta": "mucho", "fechaActualizacion": "2025-09-05T12:00:00Z"}, "not a number"),
        ({"venta": True, "fechaActualizacion": "2025-09-05T12:00:00Z"}, "not a number"),
        ({"venta": 1390, "fechaActualizacion": "ayer"}, "not an ISO date-time"),
        ({"venta": 1390, "fechaActualizacion": "2025-09-05T12:00:00"}, "not an ISO date-time"),
        ({"venta": 0.5, "fechaActualizacion": "2025-09-05T12:00:00Z"}, "plausible band"),
        ({"compra": 1400, "venta": 1390, "fechaActualizacion": "2025-09-05T12:00:00Z"}, "above the seller"),
    ],
)
def test_a_bad_mirror_answer_is_an_error(data: object, reason: str) -> None:
    with pytest.raises(QuoteError, match=reason):
        parse_mirror(data)
