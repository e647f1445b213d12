"""DoPT's reports as JSON: summary, pending work, coupon pools, money, the DFFT priority list.

Each report is open to the roles engine.access.REPORT_READERS names (403 otherwise); a CCA
approver's figures are their CCA's alone.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine.access import can_read_report, report_scope
from engine.errors import Forbidden
from engine.services.reports import (
    AGE_BUCKETS,
    MoneyFigure,
    coupon_pools,
    dfft_priority,
    money,
    pending_work,
    summary,
)
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller
from webapp.api.paging import paged
from webapp.api.presenters import timestamp
from webapp.core.database import now, session
from webapp.core.paging import requested_page


def _scope(report: str) -> str | None:
    """The CCA the caller's figures are limited to (None: all); Forbidden when the report is not theirs."""
    user = caller()
    if not can_read_report(user, report):
        raise Forbidden(f"Your role may not read the {report} report")
    return report_scope(user)


@api.get("/reports/summary")
@authenticated
def report_summary() -> Any:
    found = summary(session(), _scope("summary"))
    return jsonify(
        {
            "total": found.total,
            "by_status": {figure.key: figure.count for figure in found.by_status},
            "by_course": {figure.key: figure.count for figure in found.by_course},
            "by_cca": {figure.key: figure.count for figure in found.by_cca},
            "by_course_run": [
                {
                    "course_run_id": figure.run_id,
                    "course": figure.course_code,
                    "starts_on": figure.starts_on.isoformat(),
                    "count": figure.count,
                }
                for figure in found.by_run
            ],
        }
    )


@api.get("/reports/pending")
@authenticated
def report_pending() -> Any:
    moment = now()
    tasks = pending_work(session(), _scope("pending"), moment)
    return jsonify(
        {
            "at": timestamp(moment),
            "age_buckets": [label for label, _low, _high in AGE_BUCKETS],
            "tasks": [
                {
                    "name": task.name,
                    "total": task.total,
                    "by_age": {label: n for (label, _low, _high), n in zip(AGE_BUCKETS, task.by_age, strict=True)},
                    "oldest_at": timestamp(task.oldest_at),
                }
                for task in tasks
            ],
        }
    )


@api.get("/reports/coupons")
@authenticated
def report_coupons() -> Any:
    _scope("coupons")
    page = requested_page()
    pools, total = coupon_pools(session(), page.size, page.offset)
    body = [
        {
            "course_run_id": pool.run_id,
            "course": pool.course_code,
            "starts_on": pool.starts_on.isoformat(),
            "total": pool.total,
            "given": pool.given,
            "left": pool.left,
        }
        for pool in pools
    ]
    return paged(body, total, page)


@api.get("/reports/money")
@authenticated
def report_money() -> Any:
    found = money(session(), _scope("money"))
    return jsonify(
        {
            "by_course_run": [_money(figure) | {"course_run_id": int(figure.key)} for figure in found.by_run],
            "by_course": [_money(figure) for figure in found.by_course],
            "total": {key: value for key, value in _money(found.total).items() if key not in ("course", "starts_on")},
        }
    )


def _money(figure: MoneyFigure) -> dict[str, Any]:
    return {
        "course": figure.course_code,
        "starts_on": figure.starts_on.isoformat() if figure.starts_on else None,
        "approved": figure.approved,
        "approved_usd": float(figure.approved_usd),
        "paid": figure.paid,
        "paid_usd": float(figure.paid_usd),
        "paid_inr": float(figure.paid_inr),
    }


@api.get("/reports/dfft")
@authenticated
def report_dfft() -> Any:
    scope = _scope("dfft")
    page = requested_page()
    officers, total = dfft_priority(session(), scope, page.size, page.offset)
    body = [
        {
            "username": officer.username,
            "full_name": officer.full_name,
            "service": officer.service,
            "cca": officer.cca_code,
            "cca_name": officer.cca_name,
            "courses": officer.courses,
        }
        for officer in officers
    ]
    return paged(body, total, page)
