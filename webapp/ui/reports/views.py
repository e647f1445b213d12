"""The reports page, the DFFT priority list, and each table as a CSV or XLSX download.

Who sees which table is engine.access's: DoPT all, a CCA approver its CCA's figures,
the course team the coupon pools, finance the money; officers none (403).
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _

from engine.access import can_read_report, readable_reports, report_scope
from engine.errors import Forbidden, NotFound
from engine.services.reports import coupon_pools, dfft_priority, money, pending_work, summary
from webapp.core.database import now, session
from webapp.core.exports import FORMATS, download
from webapp.core.paging import requested_page
from webapp.ui.identity import signed_in, viewer
from webapp.ui.paging import Pager
from webapp.ui.reports import tables
from webapp.ui.reports.blueprint import reports
from webapp.ui.reports.tables import ReportTable

# Each download: the report whose access rule it follows.
TABLE_REPORTS = {
    "status": "summary",
    "course": "summary",
    "run": "summary",
    "cca": "summary",
    "pending": "pending",
    "coupons": "coupons",
    "money-run": "money",
    "money-course": "money",
    "dfft": "dfft",
}


def _scope(report: str) -> str | None:
    user = viewer()
    if not can_read_report(user, report):
        raise Forbidden(_("This page is not open to your account."))
    return report_scope(user)


@reports.get("/reports")
@signed_in
def index() -> Any:
    user = viewer()
    readable = readable_reports(user)
    if not readable:
        raise Forbidden(_("This page is not open to your account."))
    scope = report_scope(user)
    sections: dict[str, list[ReportTable]] = {}
    pager = None
    if "summary" in readable:
        found = summary(session(), scope)
        sections["summary"] = [
            tables.by_status(found),
            tables.by_course(found),
            tables.by_cca(found),
            tables.by_run(found),
        ]
    if "pending" in readable:
        moment = now()
        sections["pending"] = [tables.pending(pending_work(session(), scope, moment), moment)]
    if "coupons" in readable:
        page = requested_page()
        pools, total = coupon_pools(session(), page.size, page.offset)
        sections["coupons"] = [tables.coupons(pools)]
        pager = Pager(page, total)
    if "money" in readable:
        found_money = money(session(), scope)
        sections["money"] = [tables.money_by_course(found_money), tables.money_by_run(found_money)]
    return render_template("reports/index.html", sections=sections, pager=pager, dfft="dfft" in readable, scope=scope)


@reports.get("/reports/dfft")
@signed_in
def dfft() -> Any:
    scope = _scope("dfft")
    page = requested_page()
    officers, total = dfft_priority(session(), scope, page.size, page.offset)
    return render_template("reports/dfft.html", table=tables.dfft(officers), pager=Pager(page, total), scope=scope)


@reports.get("/reports/<name>.<file_format>")
@signed_in
def table_file(name: str, file_format: str) -> Any:
    report = TABLE_REPORTS.get(name)
    if report is None or file_format not in FORMATS:
        raise NotFound(_("There is no page at this address."))
    table = _whole_table(name, _scope(report))
    return download(table.download(), f"igot-{name}", file_format)


def _whole_table(name: str, scope: str | None) -> ReportTable:
    """The whole table (every row, not a page) of one download."""
    if name in ("status", "course", "run", "cca"):
        found = summary(session(), scope)
        return {"status": tables.by_status, "course": tables.by_course, "run": tables.by_run, "cca": tables.by_cca}[
            name
        ](found)
    if name == "pending":
        moment = now()
        return tables.pending(pending_work(session(), scope, moment), moment)
    if name == "coupons":
        return tables.coupons(coupon_pools(session(), None, 0)[0])
    if name == "dfft":
        return tables.dfft(dfft_priority(session(), scope, None, 0)[0])
    found_money = money(session(), scope)
    return tables.money_by_run(found_money) if name == "money-run" else tables.money_by_course(found_money)
