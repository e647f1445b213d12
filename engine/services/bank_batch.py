"""The payments ledger as a bank's bulk-payment file: CSV and XLSX, one row per payment.

The layout is the set of fields Indian banks' bulk NEFT/RTGS upload templates (and PFMS
bulk payment files) ask of each beneficiary, in one flat sheet with a header row:
beneficiary name, account number, IFSC, amount in rupees with two decimals, the payment
reference, a short narration for the beneficiary's statement, the sanction order number and
the date as DD-MM-YYYY. Every column but the amount is text, so account numbers keep their
leading zeros and dates are not re-read by a spreadsheet; the amount is a plain number
(8350.00, no grouping). A cell a spreadsheet would run as a formula (starting with =, +, -,
@) is written with a leading apostrophe, so opening the file cannot execute anything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from engine.models import Payment

COLUMNS: tuple[str, ...] = (
    "Beneficiary name",
    "Beneficiary account number",
    "IFSC",
    "Amount (INR)",
    "Payment reference",
    "Narration",
    "Sanction number",
    "Payment date",
)
AMOUNT_COLUMN = COLUMNS.index("Amount (INR)")
NARRATION_LIMIT = 30
"""NEFT remarks hold about 30 characters at most banks; the narration stays within them."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def bank_rows(payments: Iterable[Payment]) -> list[list[str]]:
    """Each payment as the row of the file, every value as text as the CSV holds it."""
    return [
        [
            _safe(payment.beneficiary_name),
            payment.bank_account_number,
            payment.ifsc,
            f"{payment.amount_inr:.2f}",
            _safe(payment.reference),
            _safe(f"IGOT MM REIMB APP {payment.application_id}"[:NARRATION_LIMIT]),
            _safe(payment.sanction_number),
            payment.paid_on.strftime("%d-%m-%Y"),
        ]
        for payment in payments
    ]


def bank_csv(payments: Iterable[Payment]) -> bytes:
    """The file as CSV: UTF-8, comma-separated, a header row, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(bank_rows(payments))
    return buffer.getvalue().encode("utf-8")


def bank_xlsx(payments: Iterable[Payment]) -> bytes:
    """The file as an Excel workbook of one sheet, "Payments": the same rows as the CSV, the
    amount a number shown with two decimals, every other cell text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = "Payments"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in bank_rows(payments):
        values: list[str | float] = list(row)
        values[AMOUNT_COLUMN] = float(row[AMOUNT_COLUMN])
        sheet.append(values)
        for index, cell in enumerate(sheet[sheet.max_row]):
            if index == AMOUNT_COLUMN:
                cell.number_format = "0.00"
            else:
                cell.number_format = "@"
                cell.data_type = "s"
    for index, width in enumerate((28, 22, 13, 14, 22, 30, 24, 13)):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
