"""Home, courses, applying, my applications, one application, withdrawing, uploaded files."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from engine.access import can_list_applications
from engine.errors import Conflict, Invalid, NotFound
from engine.models import CourseRun
from engine.services.application_list import ApplicationFilter, list_application_rows
from engine.services.applications import (
    INDIA,
    CourseStanding,
    course_standing,
    get_application,
    submit_application,
    withdraw_application,
)
from engine.services.queries import TaskFilter, applications_by_id, list_tasks
from engine.services.uploads import read_upload
from engine.statuses import SUBMITTED
from webapp.core.database import commit, now, session, settings
from webapp.core.paging import MAX_PER_PAGE, requested_page
from webapp.ui.dossier import build_dossier
from webapp.ui.fields import attach_errors, form_fields
from webapp.ui.i18n import engine_text
from webapp.ui.identity import current_user, is_staff, require_any_role, signed_in, viewer
from webapp.ui.paging import Pager
from webapp.ui.portal.blueprint import portal
from webapp.ui.portal.catalogue import catalogue
from webapp.ui.portal.forms import ApplyForm, WithdrawForm
from webapp.ui.portal.rows import application_rows


@portal.get("/")
def home() -> Any:
    user = current_user()
    if user is not None:
        if is_staff(user):
            return redirect(url_for("ui.inbox.inbox"))
        if user.has_role("officer"):
            return redirect(url_for("ui.portal.applications"))
        if user.has_role("process_owner"):
            return redirect(url_for("ui.processes.definitions"))
        if user.has_role("admin"):
            return redirect(url_for("ui.admin.home"))
    return render_template("portal/home.html", entries=catalogue(session(), _today()), standing=_standing())


@portal.get("/courses")
def courses() -> Any:
    return render_template("portal/courses.html", entries=catalogue(session(), _today()), standing=_standing())


def _standing() -> CourseStanding | None:
    """The signed-in officer's standing with each course (None for anyone else)."""
    user = current_user()
    if user is None or not user.has_role("officer") or user.officer is None:
        return None
    return course_standing(session(), user)


@portal.route("/runs/<int:run_id>/apply", methods=["GET", "POST"])
@signed_in
def apply(run_id: int) -> Any:
    require_any_role("officer")
    run = session().get(CourseRun, run_id)
    if run is None:
        raise NotFound(_("This course run does not exist."))
    form = ApplyForm()
    standing = course_standing(session(), viewer())
    page = {"run": run, "form": form, "standing": standing, "taken": standing.taken.get(run.course_code)}
    if page["taken"] is not None:
        # Rule 5 would make it ineligible at once: say why instead of offering the form.
        return render_template("portal/apply.html", fields=[], **page), 409 if form.is_submitted() else 200
    if not form.validate_on_submit():
        return render_template("portal/apply.html", fields=form_fields(form), **page)
    try:
        application = submit_application(session(), viewer(), run_id, bool(form.declaration.data), now())
        commit()
    except Invalid as error:
        unplaced = attach_errors(form, {name: engine_text(why) for name, why in error.fields.items()})
        problems = [engine_text(error.message), *unplaced.values()]
        return render_template("portal/apply.html", fields=form_fields(form), problems=problems, **page), 422
    if application.status == SUBMITTED:
        flash(
            _(
                "Your application was saved, but it could not be processed yet because of a problem on DoPT's side. "
                "DoPT has been told; it will go on once that is fixed, and you need not apply again."
            ),
            "error",
        )
    elif (application.eligibility or {}).get("eligible"):
        flash(_("Your application was submitted. You are eligible on every rule."), "success")
    else:
        flash(_("Your application was submitted, but it does not meet the eligibility rules shown below."), "error")
    return redirect(url_for("ui.portal.application", application_id=application.id))


@portal.get("/applications")
@signed_in
def applications() -> Any:
    user = viewer()
    if not user.has_role("officer") and can_list_applications(user):
        return redirect(url_for("ui.applications.all_applications"))
    page = requested_page()
    found, total = list_application_rows(session(), user, ApplicationFilter(officer_id=user.id), page.size, page.offset)
    loaded = applications_by_id(session(), user, [row.id for row in found])
    mine = [loaded[row.id] for row in found if row.id in loaded]
    # An officer has a task or two at a time; the cap only guards against the unthinkable.
    waiting = list_tasks(session(), user, TaskFilter(role="officer"), MAX_PER_PAGE)
    tasks = [(task, loaded.get(task.application_id or 0)) for task in waiting]
    return render_template(
        "portal/applications.html", rows=application_rows(session(), mine), pager=Pager(page, total), tasks=tasks
    )


@portal.get("/applications/<int:application_id>")
@signed_in
def application(application_id: int) -> Any:
    found = get_application(session(), viewer(), application_id)
    return render_template("portal/application.html", dossier=build_dossier(session(), viewer(), found))


@portal.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw(application_id: int) -> Any:
    found = get_application(session(), viewer(), application_id)
    if found.officer_id != viewer().id:
        raise NotFound(_("This application does not exist, or it is not open to your account."))
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_template("portal/withdraw.html", application=found, form=form)
    try:
        withdraw_application(session(), viewer(), application_id, now())
        commit()
    except Conflict as error:
        flash(_("The application was not withdrawn: %(reason)s.", reason=engine_text(error.message)), "error")
    else:
        flash(_("Your application has been withdrawn."), "success")
    return redirect(url_for("ui.portal.application", application_id=application_id))


@portal.get("/files/<upload_id>")
@signed_in
def uploaded_file(upload_id: str) -> Any:
    stored, content = read_upload(session(), viewer(), upload_id, settings().upload_dir)
    response = Response(content, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def _today() -> Any:
    return now().astimezone(INDIA).date()
