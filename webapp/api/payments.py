"""Finance's payments: the claims waiting for payment, the ledger, its totals and the bank file."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from engine.access import may_view_payments, require
from engine.errors import Invalid
from engine.services.bank_batch import bank_csv, bank_xlsx
from engine.services.payments import (
    QueueRow,
    date_range,
    ledger,
    ledger_totals,
    payment_json,
    payment_queue,
)
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller
from webapp.api.paging import paged
from webapp.api.presenters import timestamp
from webapp.core.database import now, session
from webapp.core.paging import requested_page

READERS_ONLY = "Your role may not do this: needs finance or dopt"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = {"csv": ("text/csv; charset=utf-8", bank_csv), "xlsx": (XLSX, bank_xlsx)}


@api.get("/payments/queue")
@authenticated
def queue() -> Any:
    require(may_view_payments(caller()), READERS_ONLY)
    page = requested_page()
    rows, total = payment_queue(session(), caller(), now(), page.size, page.offset)
    return paged([_queue_json(row) for row in rows], total, page)


@api.get("/payments")
@authenticated
def payments() -> Any:
    require(may_view_payments(caller()), READERS_ONLY)
    page = requested_page()
    start, end = date_range(request.args.get("from"), request.args.get("to"))
    found, total = ledger(session(), caller(), start, end, page.size, page.offset)
    return paged([payment_json(payment) for payment in found], total, page)


@api.get("/payments/totals")
@authenticated
def totals() -> Any:
    require(may_view_payments(caller()), READERS_ONLY)
    start, end = date_range(request.args.get("from"), request.args.get("to"))
    return jsonify(ledger_totals(session(), caller(), start, end).as_json())


@api.get("/payments/export")
@authenticated
def export() -> Any:
    require(may_view_payments(caller()), READERS_ONLY)
    kind = request.args.get("format", "csv")
    if kind not in EXPORTS:
        raise Invalid("Unknown format", {"format": "csv or xlsx"})
    start, end = date_range(request.args.get("from"), request.args.get("to"))
    found, _total = ledger(session(), caller(), start, end, None)
    mimetype, build = EXPORTS[kind]
    response = Response(build(found), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="payments.{kind}"'
    return response


def _queue_json(row: QueueRow) -> dict[str, Any]:
    run = row.application.course_run
    return {
        "task_id": row.task.id,
        "application_id": row.application.id,
        "officer": row.officer_name,
        "course": run.course_code,
        "course_run_id": run.id,
        "run_starts_on": run.starts_on.isoformat(),
        "claimed_usd": row.claimed_usd,
        "waiting_since": timestamp(row.task.created_at),
        "days_waiting": row.days_waiting,
        "assignee": row.task.assignee,
    }
