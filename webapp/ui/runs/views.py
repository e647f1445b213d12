"""Course runs (listed, added, changed, closed after a confirmation) and the courses of the
catalogue (listed, added, changed), for DoPT. Every change goes through
engine.services.reference, which checks a run by the rules the API applies."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from engine.errors import Conflict, Invalid, NotFound
from engine.models import Application, Course, CourseRun
from engine.services.applications import INDIA
from engine.services.catalogue import RUN_PERIODS, list_course_runs, list_courses
from engine.services.reference import (
    close_course_run,
    course_run_problems,
    create_course,
    create_course_run,
    update_course,
    update_course_run,
)
from webapp.core.database import commit, now, session
from webapp.core.paging import requested_page
from webapp.ui.fields import attach_errors, form_fields
from webapp.ui.formatting import day
from webapp.ui.i18n import engine_text
from webapp.ui.identity import require_any_role, signed_in, viewer
from webapp.ui.paging import Pager
from webapp.ui.runs.blueprint import runs
from webapp.ui.runs.forms import CloseRunForm, CourseForm, RunForm

EDITORS = ("dopt",)


@runs.get("/runs")
@signed_in
def run_list() -> Any:
    require_any_role(*EDITORS)
    page = requested_page()
    course = request.args.get("course") or None
    period = request.args.get("period") or "all"
    if period not in RUN_PERIODS:
        raise Invalid(_("Choose a period from the list."), {"period": _("Choose a period from the list.")})
    rows, total = list_course_runs(session(), now().astimezone(INDIA).date(), page.size, page.offset, course, period)
    courses = session().scalars(select(Course).order_by(Course.code)).all()
    return render_template(
        "runs/list.html", rows=rows, pager=Pager(page, total), courses=courses, course=course, period=period
    )


@runs.route("/runs/new", methods=["GET", "POST"])
@signed_in
def new_run() -> Any:
    require_any_role(*EDITORS)
    form = RunForm(_courses())
    if not form.is_submitted():
        return _run_page(form, None)
    if not _valid(form, None):
        return _run_page(form, None, submitted=True)
    try:
        run = create_course_run(session(), form.body())
        commit()
    except Invalid as error:
        session().rollback()
        return _run_page(form, None, errors=error.fields)
    flash(
        _("The course run was added: %(course)s starting %(start)s.", course=run.course_code, start=day(run.starts_on)),
        "success",
    )
    return redirect(url_for("ui.runs.run_list"))


@runs.route("/runs/<int:run_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_run(run_id: int) -> Any:
    require_any_role(*EDITORS)
    run = _run(run_id)
    form = RunForm(_courses(), run)
    if not form.is_submitted():
        return _run_page(form, run)
    if not _valid(form, run):
        return _run_page(form, run, submitted=True)
    try:
        update_course_run(session(), run_id, form.body())
        commit()
    except Invalid as error:
        session().rollback()
        return _run_page(form, _run(run_id), errors=error.fields)
    except Conflict as error:
        session().rollback()
        flash(_("The course run was not changed: %(reason)s.", reason=engine_text(error.message)), "error")
        return redirect(url_for("ui.runs.run_list"))
    flash(_("The course run was changed."), "success")
    return redirect(url_for("ui.runs.run_list"))


@runs.route("/runs/<int:run_id>/close", methods=["GET", "POST"])
@signed_in
def close_run(run_id: int) -> Any:
    require_any_role(*EDITORS)
    run = _run(run_id)
    form = CloseRunForm()
    if not form.validate_on_submit():
        return render_template("runs/close.html", run=run, applications=_applications_of(run_id), form=form)
    try:
        close_course_run(session(), viewer(), run_id, now())
        commit()
    except Conflict as error:
        session().rollback()
        flash(_("Nothing changed: %(reason)s.", reason=engine_text(error.message)), "error")
    else:
        flash(_("The course run is closed: it takes no new applications."), "success")
    return redirect(url_for("ui.runs.run_list"))


@runs.get("/runs/courses")
@signed_in
def course_list() -> Any:
    require_any_role(*EDITORS)
    page = requested_page()
    courses, total = list_courses(session(), page.size, page.offset)
    return render_template("runs/courses.html", courses=courses, pager=Pager(page, total))


@runs.route("/runs/courses/new", methods=["GET", "POST"])
@signed_in
def new_course() -> Any:
    require_any_role(*EDITORS)
    form = CourseForm()
    if not form.validate_on_submit():
        return _course_page(form, None, submitted=form.is_submitted())
    try:
        course = create_course(session(), form.body())
        commit()
    except (Invalid, Conflict) as error:
        session().rollback()
        fields = error.fields if isinstance(error, Invalid) else {"code": _("This code is taken by another course.")}
        return _course_page(form, None, errors=fields)
    flash(_("The course %(title)s was added to the catalogue.", title=course.title), "success")
    return redirect(url_for("ui.runs.course_list"))


@runs.route("/runs/courses/<code>/edit", methods=["GET", "POST"])
@signed_in
def edit_course(code: str) -> Any:
    require_any_role(*EDITORS)
    course = session().get(Course, code)
    if course is None:
        raise NotFound(_("There is no page at this address."))
    form = CourseForm(course)
    if not form.validate_on_submit():
        return _course_page(form, course, submitted=form.is_submitted())
    try:
        update_course(session(), code, form.body())
        commit()
    except Invalid as error:
        session().rollback()
        return _course_page(form, course, errors=error.fields)
    flash(_("The course was changed."), "success")
    return redirect(url_for("ui.runs.course_list"))


def _valid(form: RunForm, run: CourseRun | None) -> bool:
    """Check the form and, together, the engine's rules, so that every problem shows at once
    (a field the form already found wrong keeps the form's message)."""
    valid = bool(form.validate())
    problems = course_run_problems(session(), form.body(), run)
    attach_errors(form, {name: engine_text(why) for name, why in problems.items() if not _has_errors(form, name)})
    return valid and not problems


def _has_errors(form: RunForm, name: str) -> bool:
    return name in form and bool(form[name].errors)


def _run_page(
    form: RunForm, run: CourseRun | None, submitted: bool = False, errors: dict[str, str] | None = None
) -> Any:
    unplaced = attach_errors(form, {name: engine_text(why) for name, why in (errors or {}).items()})
    page = render_template(
        "runs/form.html",
        form=form,
        run=run,
        fields=form_fields(form),
        problems=list(unplaced.values()),
        applications=_applications_of(run.id) if run else 0,
    )
    return (page, 422) if submitted or errors else page


def _course_page(
    form: CourseForm, course: Course | None, submitted: bool = False, errors: dict[str, str] | None = None
) -> Any:
    unplaced = attach_errors(form, {name: engine_text(why) for name, why in (errors or {}).items()})
    page = render_template(
        "runs/course_form.html", form=form, course=course, fields=form_fields(form), problems=list(unplaced.values())
    )
    return (page, 422) if submitted or errors else page


def _courses() -> list[Course]:
    return list(session().scalars(select(Course).order_by(Course.code)))


def _run(run_id: int) -> CourseRun:
    run = session().get(CourseRun, run_id)
    if run is None:
        raise NotFound(_("This course run does not exist."))
    return run


def _applications_of(run_id: int) -> int:
    return int(session().scalar(select(func.count(Application.id)).where(Application.course_run_id == run_id)) or 0)
