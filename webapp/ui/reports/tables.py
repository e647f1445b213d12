"""The reports as tables: what the page shows, what its charts are drawn from and what the
downloads hold are the same rows, built here once from engine.services.reports' figures.

Cells keep their values (numbers, Decimal amounts, dates); a column's `kind` says how the
page formats them (count, usd, inr, day, moment, text) and the downloads keep them as
numbers and dates. Headings and names are in the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from engine.services.applications import INDIA
from engine.services.reports import AGE_BUCKETS, CouponPool, DfftOfficer, Money, MoneyFigure, PendingTask, Summary
from webapp.core.exports import Table
from webapp.ui.labels import service_name, status_label, task_title


@dataclass(frozen=True)
class Column:
    """A column: its heading and how its cells are shown (count, usd, inr, day, moment, text)."""

    heading: str
    kind: str = "text"


@dataclass(frozen=True)
class ReportTable:
    """One table of the reports page.

    `chart` ("bar") asks for a chart drawn from the table: labels from the
    first column, one series per column of `series` (indexes of count or amount columns).
    """

    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    chart: str | None = None
    series: Sequence[int] = ()

    def download(self) -> Table:
        """The same rows as a file."""
        return Table(self.title, [column.heading for column in self.columns], self.rows)


def by_status(found: Summary) -> ReportTable:
    rows = [(status_label(f.key), f.count) for f in sorted(found.by_status, key=lambda f: -f.count)]
    columns = (Column(_("Status")), Column(_("Applications"), "count"))
    return ReportTable("status", _("Applications by status"), columns, rows, "bar", (1,))


def by_course(found: Summary) -> ReportTable:
    rows = [(f"{f.name} ({f.key})", f.count) for f in found.by_course]
    columns = (Column(_("Course")), Column(_("Applications"), "count"))
    return ReportTable("course", _("Applications by course"), columns, rows, "bar", (1,))


def by_run(found: Summary) -> ReportTable:
    rows = [(f"{f.course_title} ({f.course_code})", f.starts_on, f.count) for f in found.by_run]
    columns = (Column(_("Course")), Column(_("Run starts"), "day"), Column(_("Applications"), "count"))
    return ReportTable("run", _("Applications by course run"), columns, rows)


def by_cca(found: Summary) -> ReportTable:
    rows = [(f.name, f.count) for f in sorted(found.by_cca, key=lambda f: -f.count)]
    columns = (Column(_("Cadre controlling authority")), Column(_("Applications"), "count"))
    return ReportTable("cca", _("Applications by cadre controlling authority"), columns, rows, "bar", (1,))


def pending(tasks: list[PendingTask], now: datetime) -> ReportTable:
    ages = [_("%(days)s days", days=label) if label[0].isdigit() else _("Over 30 days") for label, *_r in AGE_BUCKETS]
    columns = (
        Column(_("Task")),
        *(Column(age, "count") for age in ages),
        Column(_("In all"), "count"),
        Column(_("Oldest waiting since"), "moment"),
        Column(_("Oldest, days waiting"), "count"),
    )
    rows = [
        (task_title(t.name), *t.by_age, t.total, _india(t.oldest_at), (now - t.oldest_at).days if t.oldest_at else None)
        for t in tasks
    ]
    return ReportTable("pending", _("Pending work by task and age"), columns, rows, "bar", (1, 2, 3, 4))


def _india(moment: datetime | None) -> datetime | None:
    return moment.astimezone(INDIA) if moment else None


def coupons(pools: list[CouponPool]) -> ReportTable:
    columns = (
        Column(_("Course")),
        Column(_("Run starts"), "day"),
        Column(_("Codes uploaded"), "count"),
        Column(_("Given"), "count"),
        Column(_("Left"), "count"),
    )
    rows = [(f"{p.course_title} ({p.course_code})", p.starts_on, p.total, p.given, p.left) for p in pools]
    return ReportTable("coupons", _("Coupon codes per course run"), columns, rows)


def _money_columns(first: Sequence[Column]) -> tuple[Column, ...]:
    return (
        *first,
        Column(_("Claims approved"), "count"),
        Column(_("Approved (USD)"), "usd"),
        Column(_("Claims paid"), "count"),
        Column(_("Paid (USD)"), "usd"),
        Column(_("Paid (INR)"), "inr"),
    )


def _money_figures(f: MoneyFigure) -> tuple[Any, ...]:
    return (f.approved, f.approved_usd, f.paid, f.paid_usd, f.paid_inr)


def money_by_run(found: Money) -> ReportTable:
    columns = _money_columns((Column(_("Course")), Column(_("Run starts"), "day")))
    rows = [(f"{f.course_title} ({f.course_code})", f.starts_on, *_money_figures(f)) for f in found.by_run]
    return ReportTable("money-run", _("Reimbursements by course run"), columns, rows)


def money_by_course(found: Money) -> ReportTable:
    columns = _money_columns((Column(_("Course")),))
    rows = [(f"{f.course_title} ({f.course_code})", *_money_figures(f)) for f in found.by_course]
    rows.append((_("All courses"), *_money_figures(found.total)))
    return ReportTable("money-course", _("Reimbursements by course"), columns, rows)


def dfft(officers: list[DfftOfficer]) -> ReportTable:
    columns = (
        Column(_("Officer")),
        Column(_("Username")),
        Column(_("Service")),
        Column(_("Cadre controlling authority")),
        Column(_("Courses certified")),
    )
    rows = [(o.full_name, o.username, service_name(o.service), o.cca_name, ", ".join(o.courses)) for o in officers]
    return ReportTable("dfft", _("DFFT priority list: certified in every course"), columns, rows)
