"""An invoice as a PDF (BIL-2), in the active language, with fpdf2's core Helvetica font.

Core fonts cover Latin-1, which has every Spanish letter (á, é, ñ, ¿...); anything else (an emoji in
an account's name, a typographic dash) is transliterated or replaced so the PDF never fails."""

from __future__ import annotations

import unicodedata

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from billing.invoices import lines_of, money, rate_text
from billing.models import Invoice

FONT = "helvetica"
LINE_HEIGHT = 7
# Column widths (mm) of the lines table: description, quantity, unit price, amount; 190 in all.
COLUMNS = (100, 20, 35, 35)


# Typographic punctuation people paste into names, and its plain form.
PUNCTUATION = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
)


def latin1(text: str) -> str:
    """Text the core font can draw: Latin-1 as is, accents on other letters dropped, the rest '?'."""
    out = []
    for char in text.translate(PUNCTUATION):
        if ord(char) < 256:
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(plain or "?")
    return "".join(out)


def invoice_pdf(invoice: Invoice, *, compress: bool = True) -> bytes:
    """The invoice's PDF. ``compress=False`` leaves the page's text readable in the bytes (tests)."""
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(latin1(_("Invoice %(number)s") % {"number": invoice.number}))
    pdf.add_page()
    pdf.set_font(FONT, style="B", size=16)
    _line(pdf, _("Spoter - Invoice %(number)s") % {"number": invoice.number})
    pdf.set_font(FONT, size=10)
    rate = invoice.rate
    period = [date_format(day, "SHORT_DATE_FORMAT") for day in (invoice.period_start, invoice.period_end)]
    for label, value in (
        (_("Account"), invoice.account.name),
        (_("Period"), " - ".join(period)),
        (_("Plan"), invoice.plan_name),
        (_("Issued"), date_format(timezone.localtime(invoice.issued_at), "SHORT_DATE_FORMAT")),
        (_("Payment method"), invoice.get_payment_method_display() or _("None")),
        (_("Status"), invoice.get_status_display()),
    ):
        _line(pdf, f"{label}: {value}")
    pdf.ln(4)
    pdf.set_font(FONT, style="B", size=10)
    _row(pdf, (_("Description"), _("Quantity"), _("Unit (USD)"), _("Amount (USD)")))
    pdf.set_font(FONT, size=10)
    for item in lines_of(invoice):
        _row(pdf, (item.description, str(item.quantity), money(item.unit_usd), money(item.amount_usd)))
    pdf.set_font(FONT, style="B", size=10)
    _row(pdf, (_("Total (USD)"), "", "", money(invoice.usd_total)))
    pdf.ln(4)
    pdf.set_font(FONT, size=10)
    _line(
        pdf,
        _("Dollar rate: %(rate)s ARS per USD, %(source)s, quoted on %(date)s (read %(fetched)s)")
        % {
            "rate": rate_text(rate.seller),
            "source": rate.get_source_display(),
            "date": date_format(rate.quote_date, "SHORT_DATE_FORMAT"),
            "fetched": date_format(timezone.localtime(rate.fetched_at), "SHORT_DATETIME_FORMAT"),
        },
    )
    pdf.set_font(FONT, style="B", size=12)
    _line(pdf, _("Total: ARS %(amount)s") % {"amount": money(invoice.ars_total)})
    pdf.set_font(FONT, size=8)
    pdf.multi_cell(
        0,
        5,
        latin1(
            _(
                "Prices are in US dollars, charged monthly in advance in Argentine pesos at Banco "
                "Nación's billete seller rate of the billing day. Final prices, taxes included."
            )
        ),
    )
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str) -> None:
    pdf.cell(0, LINE_HEIGHT, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _row(pdf: FPDF, cells: tuple[str, str, str, str]) -> None:
    """One line of the table; a long description (a proration says what it prorates) wraps and
    the row grows with it."""
    description = latin1(cells[0])
    lines = pdf.multi_cell(COLUMNS[0], LINE_HEIGHT, description, dry_run=True, output=MethodReturnValue.LINES)
    height = LINE_HEIGHT * max(1, len(lines) if isinstance(lines, list) else 1)
    pdf.multi_cell(
        COLUMNS[0],
        LINE_HEIGHT,
        description,
        border="B",
        new_x=XPos.RIGHT,
        new_y=YPos.TOP,
        max_line_height=LINE_HEIGHT,
    )
    for index, (text, width) in enumerate(zip(cells[1:], COLUMNS[1:], strict=True), start=1):
        last = index == len(COLUMNS) - 1
        pdf.cell(
            width,
            height,
            latin1(text),
            border="B",
            align="R",
            new_x=XPos.LMARGIN if last else XPos.RIGHT,
            new_y=YPos.NEXT if last else YPos.TOP,
        )
