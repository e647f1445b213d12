"""DoPT's list of every application (a CCA approver's: their CCA's), and its export.

The query is engine.services.application_list's, the one the API and the exports share;
the filters are in the query string (dates DD-MM-YYYY), so a filtered list can be
bookmarked, paged and exported as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from engine.access import can_list_applications, report_scope
from engine.errors import Forbidden, Invalid, NotFound
from engine.services.application_list import (
    ApplicationFilter,
    ApplicationRow,
    application_filter,
    filter_args,
    iter_application_rows,
    list_application_rows,
)
from engine.services.applications import INDIA
from engine.statuses import ALL_STATUSES
from webapp.core.database import session
from webapp.core.exports import FORMATS, Table, download
from webapp.core.paging import requested_page
from webapp.ui.applications.blueprint import applications
from webapp.ui.i18n import engine_text
from webapp.ui.identity import signed_in, viewer
from webapp.ui.inbox.rows import filter_options
from webapp.ui.labels import service_name, status_label
from webapp.ui.paging import Pager


def _require_list() -> None:
    if not can_list_applications(viewer()):
        raise Forbidden(_("This page is not open to your account."))


@applications.get("/applications/all")
@signed_in
def all_applications() -> Any:
    _require_list()
    user = viewer()
    page = requested_page()
    try:
        filters = application_filter(request.args, day_first=True)
    except Invalid as error:
        return _page(ApplicationFilter(), [], Pager(page, 0), error.fields), 422
    rows, total = list_application_rows(session(), user, filters, page.size, page.offset)
    return _page(filters, rows, Pager(page, total), {})


def _page(filters: ApplicationFilter, rows: list[ApplicationRow], pager: Pager, errors: dict[str, str]) -> str:
    user = viewer()
    return render_template(
        "applications/list.html",
        filters=filters,
        entered=request.args,
        rows=rows,
        pager=pager,
        errors={name: engine_text(why) for name, why in errors.items()},
        options=filter_options(session()),
        statuses=ALL_STATUSES,
        own_cca=report_scope(user),
        export_args=filter_args(filters, day_first=True),
    )


@applications.get("/applications/all/export.<file_format>")
@signed_in
def export(file_format: str) -> Any:
    _require_list()
    if file_format not in FORMATS:
        raise NotFound(_("There is no page at this address."))
    filters = application_filter(request.args, day_first=True)
    rows = _export_rows(iter_application_rows(session(), viewer(), filters))
    return download(Table(_("Applications"), _export_columns(), rows), "igot-applications", file_format)


def _export_columns() -> list[str]:
    return [
        _("Application"),
        _("Officer"),
        _("Username"),
        _("edX username"),
        _("Service"),
        _("Cadre controlling authority"),
        _("Course"),
        _("Run starts"),
        _("Status"),
        _("Submitted"),
        _("Last change"),
        _("Open incident"),
    ]


def _export_rows(rows: Iterator[ApplicationRow]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        yield (
            row.id,
            row.officer_name,
            row.officer_username,
            row.edx_username,
            service_name(row.service),
            row.cca_name,
            f"{row.course_title} ({row.course_code})",
            row.run_starts_on,
            status_label(row.status),
            row.created_at.astimezone(INDIA),
            row.updated_at.astimezone(INDIA),
            _("yes") if row.has_incident else _("no"),
        )
