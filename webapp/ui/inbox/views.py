"""The inbox, a task page, claiming, returning and completing a task."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, BinaryIO, cast

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.errors import Conflict, Invalid, StepFailed, TooLarge
from engine.form_versions import task_form
from engine.models import Application, HumanTask, Upload, User
from engine.services.process_data import task_data
from engine.services.queries import task_counts_by_name, task_page
from engine.services.tasks import claim_task, complete_task, get_task, unclaim_task
from engine.services.uploads import store_upload
from webapp.core.database import commit, now, session, settings, upload_quota
from webapp.core.failures import record_step_failure, step_failed_message
from webapp.core.paging import requested_page
from webapp.core.throttle import Throttled, check_upload_rate, refusal
from webapp.ui import labels
from webapp.ui.dossier import build_dossier
from webapp.ui.fields import Field, bind, unplaced_errors
from webapp.ui.i18n import data_text, engine_text
from webapp.ui.identity import safe_next, signed_in, viewer
from webapp.ui.inbox.blueprint import inbox as blueprint
from webapp.ui.inbox.forms import ClaimForm, chosen_files, inbox_query, kept_uploads
from webapp.ui.inbox.rows import filter_options, inbox_rows
from webapp.ui.paging import Pager
from webapp.ui.schema_forms import entered_values, schema_fields, typed_data, upload_names, upload_values


@blueprint.get("/inbox")
@signed_in
def inbox() -> Any:
    user = viewer()
    query = inbox_query(request.args)
    page = requested_page()
    tasks, total = task_page(session(), user, query.filters, page.size, page.offset)
    options = filter_options(session())
    return render_template(
        "inbox/inbox.html",
        rows=inbox_rows(session(), tasks, now(), {cca.code: cca.name for cca in options.ccas}),
        total=total,
        pager=Pager(page, total),
        counts=task_counts_by_name(session(), user),
        options=options,
        query=query,
    )


@blueprint.get("/tasks/<task_id>")
@signed_in
def task(task_id: str) -> Any:
    found = get_task(session(), viewer(), task_id)
    # A task reopened for the officer (a claim returned, a result to correct) shows what they sent.
    sent = found.prefill or {}
    schema = _schema(found) if sent else {}
    return _task_page(found, entered_values(schema, sent), {}, upload_values(schema, sent))


@blueprint.post("/tasks/<task_id>")
@signed_in
def complete(task_id: str) -> Any:
    user = viewer()
    found = get_task(session(), user, task_id)
    schema = _schema(found)
    posted = typed_data(schema, request.form)
    names = upload_names(schema)
    uploads, upload_errors = _store_files(user, names, request.files)
    uploads = kept_uploads(request.form, names) | uploads
    posted.data.update(uploads)
    if upload_errors:
        # A file that could not be stored stops the submission: completing without it
        # would quietly drop what the person meant to send.
        return _task_page(found, posted.entered, upload_errors | posted.errors, uploads, status=422)
    try:
        complete_task(session(), user, task_id, posted.data, settings().forms_dir, now())
        if posted.errors:
            # The engine may have taken the text as it is; what the page says is how to type it.
            raise Invalid("Some answers need correcting", {})
        commit()
    except Invalid as error:
        session().rollback()
        errors = {name: engine_text(why) for name, why in error.fields.items()} | posted.errors
        return _task_page(get_task(session(), user, task_id), posted.entered, errors, uploads, status=422)
    except Conflict as error:
        session().rollback()
        flash(_("The task was not completed: %(reason)s.", reason=engine_text(error.message)), "error")
        return redirect(_after_task(found))
    except StepFailed as error:
        # The answers stay on the page; the person need not type them again once it is fixed.
        problem = {"_form": step_failed_message(record_step_failure(error))}
        return _task_page(get_task(session(), user, task_id), posted.entered, problem, uploads, status=422)
    flash(_("Done: %(task)s.", task=labels.task_title(found.name)), "success")
    return redirect(_after_task(found))


@blueprint.post("/tasks/<task_id>/claim")
@signed_in
def claim(task_id: str) -> Any:
    return _claim_or_return(task_id, claim_task, _("You have taken the task; colleagues see it is yours."))


@blueprint.post("/tasks/<task_id>/unclaim")
@signed_in
def unclaim(task_id: str) -> Any:
    return _claim_or_return(task_id, unclaim_task, _("The task is back in the shared inbox."))


def _claim_or_return(task_id: str, action: Any, done: str) -> Any:
    form = ClaimForm()
    back = safe_next(form.next.data, url_for("ui.inbox.task", task_id=task_id))
    try:
        action(session(), viewer(), task_id, now())
        commit()
    except Conflict as error:
        session().rollback()
        flash(_("Nothing changed: %(reason)s.", reason=engine_text(error.message)), "error")
    else:
        flash(done, "success")
    return redirect(back)


def _after_task(task: HumanTask) -> str:
    """Officers go back to their application; staff to the inbox for the next task."""
    if task.role == "officer":
        return url_for("ui.portal.application", application_id=task.application_id)
    return url_for("ui.inbox.inbox")


def _schema(task: HumanTask) -> dict[str, Any]:
    return task_form(session(), task, settings().forms_dir) or {}


def _store_files(user: User, names: list[str], files: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Store each chosen file (as POST /api/v1/uploads does) and keep it even if the form fails."""
    stored: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, file in chosen_files(files, names).items():
        try:
            check_upload_rate(user.id)
            stream = cast(BinaryIO, file.stream)
            upload = store_upload(
                session(), user, file.filename or "upload", stream, settings().upload_dir, now(), upload_quota()
            )
        except Throttled as error:
            errors[name] = refusal(error.retry_after, uploads=True).message
        except Invalid as error:
            errors[name] = error.fields.get("file", error.message)
        except TooLarge as error:
            errors[name] = error.message
        else:
            stored[name] = upload.id
    if stored:
        commit()
    return stored, errors


def _task_page(
    task: HumanTask,
    entered: Mapping[str, str],
    errors: Mapping[str, str],
    uploads: Mapping[str, str],
    status: int = 200,
) -> Any:
    user = viewer()
    application = session().get_one(Application, task.application_id)
    schema = _schema(task)
    shown = {name: engine_text(why) for name, why in errors.items()}
    fields = _with_uploads(bind(schema_fields(schema), entered, shown), uploads, user)
    return (
        render_template(
            "inbox/task.html",
            task=task,
            form_title=data_text(schema.get("title")) or task.title,
            form_description=data_text(schema.get("description")),
            fields=fields,
            problems=unplaced_errors(fields, shown),
            has_errors=bool(errors),
            dossier=build_dossier(session(), user, application, task_data(session(), task)),
            overdue=task.due_at is not None and task.due_at < now(),
        ),
        status,
    )


def _with_uploads(fields: list[Field], uploads: Mapping[str, str], user: User) -> list[Field]:
    """Show the files already stored for upload fields, so they need not be chosen again."""
    if not uploads:
        return fields
    rows = session().scalars(select(Upload).where(Upload.id.in_(uploads.values()), Upload.owner_id == user.id))
    names = {row.id: row.original_name for row in rows}
    result = []
    for item in fields:
        upload_id = uploads.get(item.name)
        if upload_id in names:
            item = replace(item, attached_id=upload_id, attached_name=names[upload_id])
        result.append(item)
    return result
