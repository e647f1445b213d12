"""The instance monitor and an application's process, with the repairs operators make on it."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.access import can_repair
from engine.errors import Conflict, Invalid, StepFailed
from engine.services.incidents import retry_incident
from engine.services.instance_trace import InstanceView, instance_view
from engine.services.monitor import MAX_AGE_DAYS, monitor_applications, read_monitor_filter
from engine.services.process_versions import list_processes
from engine.services.repair import (
    cancel_application,
    migrate_application,
    patch_process_data,
    preview_migration,
    resume_application,
    suspend_application,
)
from engine.statuses import ALL_STATUSES
from webapp.core.database import commit, now, session, settings
from webapp.core.failures import record_failed_retry
from webapp.core.paging import requested_page
from webapp.ui.fields import form_fields
from webapp.ui.forms import ConfirmedReasonForm, ReasonForm
from webapp.ui.i18n import engine_text
from webapp.ui.identity import require_any_role, signed_in, viewer
from webapp.ui.inbox.rows import filter_options
from webapp.ui.monitor.blueprint import monitor
from webapp.ui.monitor.forms import DataForm, ListArgs, MigrateForm
from webapp.ui.script_texts import INSTANCE, script_texts

OPERATORS = ("dopt", "process_owner")


@monitor.get("/monitor")
@signed_in
def applications() -> Any:
    require_any_role(*OPERATORS)
    args = ListArgs.of(request.args)
    rows: list[Any] = []
    total, page_number, size, problems = 0, 1, 50, []
    try:
        page = requested_page()
        page_number, size = page.number, page.size
        rows, total = monitor_applications(
            session(), viewer(), read_monitor_filter(request.args), now(), page.size, page.offset
        )
    except Invalid as error:
        problems = _filter_problems(request.args, error)
    return render_template(
        "monitor/list.html",
        args=args,
        rows=rows,
        total=total,
        page=page_number,
        pages=max(math.ceil(total / size), 1),
        size=size,
        problems=problems,
        processes=list_processes(session(), viewer()),
        statuses=ALL_STATUSES,
        options=filter_options(session()),
        moment=now(),
    ), (422 if problems else 200)


def _filter_problems(args: Any, error: Invalid) -> list[str]:
    """Each filter the monitor cannot use, named by its label on the page, with what it takes."""
    labels = {
        "process": _("Process"),
        "version": _("Version"),
        "status": _("Status"),
        "run": _("Course run"),
        "cca": _("Cadre controlling authority"),
        "incident": _("Incident"),
        "min_age_days": _("Waiting at least (days)"),
        "page": _("Page"),
        "size": _("Page size"),
    }
    whole = _("Enter a whole number.")
    reasons = {
        "process": _("Choose a process from the list."),
        "status": _("Choose a status from the list."),
        "cca": _("Choose a cadre controlling authority from the list."),
        "run": _("Choose a course run from the list."),
        "incident": _("Choose with or without an open incident."),
        "min_age_days": _("Enter a whole number of days from 0 to %(most)s.", most=f"{MAX_AGE_DAYS:,}"),
    }
    problems = []
    for name in sorted(error.fields):
        if name == "version" and not (args.get("process") or "").strip():
            reason = _("A version belongs to a process: choose the process too.")
        else:
            reason = reasons.get(name, whole)
        problems.append(_("%(field)s: %(why)s", field=labels.get(name, name), why=reason))
    return problems


@monitor.get("/monitor/<int:application_id>")
@signed_in
def instance(application_id: int) -> Any:
    require_any_role(*OPERATORS)
    return _page(application_id)


def _page(application_id: int, status: int = 200, **forms: Any) -> Any:
    view = instance_view(session(), viewer(), application_id, now())
    owner = can_repair(viewer())
    shown = json.dumps(view.data, indent=2, ensure_ascii=False) if view.data is not None else ""
    data_form = forms.get("data_form") or DataForm(formdata=None, prefix="data", data={"process_data": shown})
    page_data = {
        "processes": [
            {
                "key": trace.key,
                "version": trace.version,
                "xmlUrl": url_for("ui.processes.diagram_xml", key=trace.key, version=trace.version),
                "elements": {
                    element: {"state": state.state, "runs": state.runs} for element, state in trace.elements.items()
                },
            }
            for trace in view.processes
        ],
        "labels": script_texts(INSTANCE),
    }
    return render_template(
        "monitor/instance.html",
        view=view,
        owner=owner,
        page_data=page_data,
        retry_fields=form_fields(forms.get("retry_form") or ReasonForm(formdata=None, prefix="retry")),
        hold_fields=form_fields(forms.get("hold_form") or ReasonForm(formdata=None, prefix="hold")),
        cancel_fields=form_fields(forms.get("cancel_form") or ConfirmedReasonForm(formdata=None, prefix="cancel")),
        data_fields=form_fields(data_form),
        form_errors=forms.get("errors", []),
    ), status


def _done(application_id: int, message: str) -> Any:
    commit()
    flash(message, "success")
    return redirect(url_for("ui.monitor.instance", application_id=application_id))


def _refused(application_id: int, error: Conflict | Invalid) -> Any:
    session().rollback()
    flash(_("Nothing was changed: %(reason)s.", reason=engine_text(error.message)), "error")
    return redirect(url_for("ui.monitor.instance", application_id=application_id))


@monitor.post("/monitor/<int:application_id>/retry")
@signed_in
def retry(application_id: int) -> Any:
    require_any_role(*OPERATORS)
    form = ReasonForm(prefix="retry")
    if not form.validate_on_submit():
        return _page(application_id, 422, retry_form=form)
    view = instance_view(session(), viewer(), application_id, now())
    if view.incident is None:
        flash(_("Nothing was changed: the application has no open incident."), "error")
        return redirect(url_for("ui.monitor.instance", application_id=application_id))
    try:
        retry_incident(session(), viewer(), view.incident.id, form.reason.data, settings().forms_dir, now())
    except StepFailed as error:
        incident_id = record_failed_retry(error, viewer(), view.incident.id, form.reason.data)
        flash(_("The step failed again (incident %(id)s): %(error)s", id=incident_id, error=error.message), "error")
        return redirect(url_for("ui.monitor.instance", application_id=application_id))
    except (Conflict, Invalid) as error:
        return _refused(application_id, error)
    return _done(application_id, _("The step was taken again and went through."))


@monitor.post("/monitor/<int:application_id>/suspend")
@signed_in
def suspend(application_id: int) -> Any:
    return _hold(application_id, suspend=True)


@monitor.post("/monitor/<int:application_id>/resume")
@signed_in
def resume(application_id: int) -> Any:
    return _hold(application_id, suspend=False)


def _hold(application_id: int, suspend: bool) -> Any:
    require_any_role(*OPERATORS)
    form = ReasonForm(prefix="hold")
    if not form.validate_on_submit():
        return _page(application_id, 422, hold_form=form)
    action = suspend_application if suspend else resume_application
    try:
        action(session(), viewer(), application_id, form.reason.data, now())
    except Conflict as error:
        return _refused(application_id, error)
    return _done(application_id, _("The application is suspended.") if suspend else _("The application is resumed."))


@monitor.post("/monitor/<int:application_id>/cancel")
@signed_in
def cancel(application_id: int) -> Any:
    require_any_role(*OPERATORS)
    form = ConfirmedReasonForm(prefix="cancel")
    if not form.validate_on_submit():
        return _page(application_id, 422, cancel_form=form)
    try:
        cancel_application(session(), viewer(), application_id, form.reason.data, now())
    except Conflict as error:
        return _refused(application_id, error)
    return _done(application_id, _("The application is cancelled."))


@monitor.post("/monitor/<int:application_id>/data")
@signed_in
def change_data(application_id: int) -> Any:
    require_any_role("process_owner")
    form = DataForm(prefix="data")
    if not form.validate_on_submit():
        return _page(application_id, 422, data_form=form)
    view = instance_view(session(), viewer(), application_id, now())
    changes, problem = form.changes(view.data or {})
    if problem:
        form.process_data.errors = [problem]
        return _page(application_id, 422, data_form=form)
    try:
        patch_process_data(session(), viewer(), application_id, changes, form.reason.data, now())
    except Invalid as error:
        session().rollback()
        reasons = [f"{name}: {engine_text(why)}" for name, why in error.fields.items()]
        form.process_data.errors = reasons or [engine_text(error.message)]
        return _page(application_id, 422, data_form=form)
    except Conflict as error:
        return _refused(application_id, error)
    return _done(application_id, _("The process data was changed: %(keys)s.", keys=", ".join(sorted(changes))))


@monitor.route("/monitor/<int:application_id>/migrate", methods=["GET", "POST"])
@signed_in
def migrate(application_id: int) -> Any:
    require_any_role("process_owner")
    view: InstanceView = instance_view(session(), viewer(), application_id, now())
    form = MigrateForm(formdata=request.form if request.method == "POST" else request.args)
    process = form.target_process.data or (view.process.key if view.process else "")
    body = {"process": process, "version": form.version.data}
    refusal, preview = None, None
    try:
        preview = preview_migration(session(), viewer(), application_id, body, now())
    except (Conflict, Invalid) as error:
        refusal = engine_text(error.message)
    if request.method == "POST" and preview is not None and form.validate():
        try:
            migrate_application(session(), viewer(), application_id, {**body, "reason": form.reason.data}, now())
        except (Conflict, Invalid) as error:
            return _refused(application_id, error)
        return _done(
            application_id,
            _(
                "The application now runs on version %(version)d of %(process)s.",
                version=form.version.data,
                process=process,
            ),
        )
    page = render_template(
        "monitor/migrate.html",
        view=view,
        process=process,
        version=form.version.data,
        preview=preview,
        refusal=refusal,
        fields=[item for item in form_fields(form) if item.name in ("reason", "confirm")],
    )
    return page, (422 if request.method == "POST" else 200)
