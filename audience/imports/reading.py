"""Reading uploaded spreadsheets (AUD-2): CSV in UTF-8 (with or without BOM) or Latin-1, comma
or semicolon separated, and XLSX; both streamed row by row, so a 100,000-row file never sits in
memory. Empty lines are skipped everywhere; row numbers are the ones the person sees in the file
(the header is row 1)."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

import openpyxl
import puremagic
from django.utils.translation import gettext as _

Cells = list[object]
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # latin-1 decodes any byte: the last resort
DELIMITERS = (",", ";")


class SpreadsheetError(ValueError):
    """A file that cannot be imported; the message is for the person who uploaded it."""


@dataclass
class Layout:
    """What reading a file needs to know, found once at upload and stored on the import."""

    file_format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)


def detect(file: IO[bytes]) -> Layout:
    """The format, encoding and delimiter of ``file``; SpreadsheetError when it is no spreadsheet."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if not head:
        raise SpreadsheetError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(file).namelist()
        except zipfile.BadZipFile:
            names = []
        finally:
            file.seek(0)
        if "xl/workbook.xml" not in names:
            raise SpreadsheetError(_("This file is not a spreadsheet: upload a CSV or XLSX file."))
        return Layout("xlsx")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("Old Excel files (.xls) cannot be read: save the file as XLSX or CSV."))
    if b"\x00" in head or _known_binary(head.removeprefix(codecs.BOM_UTF8)):
        raise SpreadsheetError(_("This file is not a spreadsheet: upload a CSV or XLSX file."))
    return Layout("csv", encoding=_encoding(file), delimiter=_delimiter(head))


def _known_binary(head: bytes) -> bool:
    try:
        puremagic.from_string(head)
    except puremagic.PureError:
        return False  # nothing known: plain text
    return True


def _encoding(file: IO[bytes]) -> str:
    """UTF-8 when the whole file decodes as UTF-8 (checked in chunks), else Windows' Latin-1."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        file.seek(0)
        try:
            while chunk := file.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            file.seek(0)
        return encoding
    raise AssertionError("latin-1 decodes everything")  # pragma: no cover


def _delimiter(head: bytes) -> str:
    first_line = head.splitlines()[0] if head.splitlines() else b""
    return ";" if first_line.count(b";") > first_line.count(b",") else ","


@contextmanager
def open_rows(file: IO[bytes], layout: Layout) -> Iterator[Iterator[tuple[int, Cells]]]:
    """The file's non-empty rows, header included, as (row number, cells)."""
    file.seek(0)
    if layout.file_format == "xlsx":
        try:
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds on a damaged workbook
            raise SpreadsheetError(_("The spreadsheet could not be read; is it damaged?")) from error
        try:
            yield _xlsx_rows(workbook)
        finally:
            workbook.close()
    else:
        text = io.TextIOWrapper(file, encoding=layout.encoding, newline="")
        try:
            yield _csv_rows(text, layout.delimiter)
        finally:
            text.detach()  # leave the underlying file open: its owner closes it


def _csv_rows(text: IO[str], delimiter: str) -> Iterator[tuple[int, Cells]]:
    reader = csv.reader(text, delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, list(cells)
            start = reader.line_num + 1
    except csv.Error as error:
        raise SpreadsheetError(
            _("Row %(row)d could not be read: %(error)s") % {"row": start, "error": error}
        ) from error


def _xlsx_rows(workbook: openpyxl.Workbook) -> Iterator[tuple[int, Cells]]:
    sheet = workbook.worksheets[0]
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells: Cells = list(values)
            if any(cell is not None and str(cell).strip() for cell in cells):
                yield number, cells
    except Exception as error:  # a damaged sheet fails in many ways, deep in openpyxl
        raise SpreadsheetError(
            _("Row %(row)d could not be read: %(error)s") % {"row": number + 1, "error": type(error).__name__}
        ) from error


def scan(file: IO[bytes], layout: Layout) -> int:
    """Reads the headers into ``layout`` and returns how many data rows follow them."""
    with open_rows(file, layout) as rows:
        header = next(rows, None)
        if header is None:
            raise SpreadsheetError(_("The file has no rows."))
        layout.headers = [cell_text(cell) for cell in header[1]]
        total = sum(1 for _row in rows)
    if total == 0:
        raise SpreadsheetError(_("The file has only a header row: there are no contacts to import."))
    return total


def cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())
