"""Tables downloaded as CSV or XLSX (openpyxl), for the lists and the reports.

CSV is UTF-8 with a byte-order mark, so that spreadsheet programs read Hindi names right.
XLSX is written in openpyxl's write-only mode (rows streamed to a temporary file, not held
as cells in memory); dates become date cells shown DD-MM-YYYY, amounts numbers. Callers give times in the zone
people read them in (India time); a file shows them without an offset.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from engine.errors import NotFound

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY_FORMAT = "DD-MM-YYYY"


@dataclass(frozen=True)
class Table:
    """What a download holds: a title (the sheet's name), the column headings, the rows."""

    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]


def download(table: Table, filename: str, file_format: str) -> Response:
    """The table as a file to save, `filename` without its extension; NotFound for an unknown format."""
    if file_format == "csv":
        response = Response(_csv(table), mimetype="text/csv")
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    elif file_format == "xlsx":
        response = Response(_xlsx(table), mimetype=XLSX_TYPE)
    else:
        raise NotFound(f"no download as {file_format}: use csv or xlsx")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


def _csv(table: Table) -> bytes:
    """The whole file, built before it is sent: the rows are read in the request's own
    transaction, which then ends (a download never holds the database while it is sent)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    writer.writerows([_text(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    if text[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + text
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal)


def _xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=table.title[:31] or "Sheet")
    sheet.append(list(table.columns))
    for row in table.rows:
        sheet.append([_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, datetime):
        # Spreadsheets know no time zones: the moment as the caller gives it (India time).
        value = value.replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DAY_FORMAT + " HH:MM"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DAY_FORMAT
        return cell
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value.startswith("="):
        # Text, never a formula.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
