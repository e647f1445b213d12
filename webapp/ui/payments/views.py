"""The claims waiting for payment (each links to its "Record payment" task, where the form is
shown with the claim beside it), and the ledger: totals by month and run, the payments, and
the bank file as CSV or XLSX."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _

from engine.access import may_view_payments, require
from engine.errors import Invalid
from engine.services.bank_batch import bank_csv, bank_xlsx
from engine.services.payments import FINANCE_ROLE, REVERSED, date_range, ledger, ledger_totals, payment_queue
from webapp.core.database import now, session
from webapp.core.paging import requested_page
from webapp.ui.forms import DAY_EXPECTED, read_day
from webapp.ui.identity import signed_in, viewer
from webapp.ui.paging import Pager
from webapp.ui.payments.blueprint import payments

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@payments.get("/payments")
@signed_in
def queue() -> Any:
    _require_view()
    page = requested_page()
    rows, total = payment_queue(session(), viewer(), now(), page.size, page.offset)
    return render_template(
        "payments/queue.html", rows=rows, page=Pager(page, total), may_pay=viewer().has_role(FINANCE_ROLE)
    )


@payments.get("/payments/ledger")
@signed_in
def ledger_page() -> Any:
    _require_view()
    start_text, end_text = request.args.get("from", ""), request.args.get("to", "")
    try:
        start, end = date_range(_iso(start_text), _iso(end_text))
    except Invalid as error:
        errors = _date_errors(error)
        failed = render_template(
            "payments/ledger.html", errors=errors, start=start_text, end=end_text, totals=None, rows=[], page=None
        )
        return failed, 422
    page = requested_page()
    rows, total = ledger(session(), viewer(), start, end, page.size, page.offset)
    return render_template(
        "payments/ledger.html",
        errors={},
        start=start_text,
        end=end_text,
        totals=ledger_totals(session(), viewer(), start, end),
        rows=rows,
        page=Pager(page, total),
    )


@payments.get("/payments/ledger.<kind>")
@signed_in
def ledger_file(kind: str) -> Any:
    _require_view()
    builders = {"csv": ("text/csv; charset=utf-8", bank_csv), "xlsx": (XLSX, bank_xlsx)}
    if kind not in builders:
        raise Invalid(_("Download the ledger as CSV or XLSX."))
    start, end = date_range(_iso(request.args.get("from", "")), _iso(request.args.get("to", "")))
    rows, _total = ledger(session(), viewer(), start, end, None)
    mimetype, build = builders[kind]
    response = Response(build(rows), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="payments.{kind}"'
    return response


def _iso(text: str) -> str:
    """A bound of the ledger as the engine takes it: DD-MM-YYYY (as pages show dates) becomes
    YYYY-MM-DD; anything else (YYYY-MM-DD from a date picker, nonsense) is left for the engine."""
    day, _why = read_day(text)
    return day.isoformat() if day is not None else text.strip()


def _date_errors(error: Invalid) -> dict[str, str]:
    """The ledger's date problems, each naming its field; a reversed range said as such."""
    labels = {"from": _("Paid on or after"), "to": _("Paid on or before")}
    errors: dict[str, str] = {}
    for name, why in error.fields.items():
        if why == REVERSED:
            errors[name] = _("The dates are reversed: “Paid on or before” is earlier than “Paid on or after”.")
        else:
            errors[name] = _("%(field)s: %(why)s", field=labels.get(name, name), why=DAY_EXPECTED)
    return errors


def _require_view() -> None:
    require(may_view_payments(viewer()), _("This page is not open to your account."))
