"""The coupon pools: the overview of every run, one run's pool (upload, codes), voiding a code.

An upload with any problem adds nothing: the page lists each problem by line, and the person
either corrects the codes and uploads again or adds only the valid ones (one button). Either
way the upload is one transaction.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.access import may_manage_coupons, may_view_coupons, require
from engine.errors import Conflict, Invalid
from engine.services.applications import INDIA
from engine.services.coupons import (
    COUPON_STATES,
    MAX_FILE_BYTES,
    CodeLine,
    UploadOutcome,
    coupon_pools,
    get_coupon,
    pool_of_run,
    read_csv_codes,
    read_pasted_codes,
    run_codes,
    upload_codes,
    void_coupon,
)
from webapp.core.database import commit, now, session
from webapp.core.paging import requested_page
from webapp.ui.coupons.blueprint import coupons
from webapp.ui.coupons.forms import UploadForm, VoidForm
from webapp.ui.fields import form_fields
from webapp.ui.i18n import engine_text
from webapp.ui.identity import signed_in, viewer
from webapp.ui.paging import Pager

# A confirmation re-posts up to 10,000 valid codes: room for them beyond Flask's 500 kB.
UPLOAD_FORM_BYTES = 2 * MAX_FILE_BYTES


@coupons.before_app_request
def _room_for_codes() -> None:
    if request.endpoint == "ui.coupons.upload":
        request.max_form_memory_size = UPLOAD_FORM_BYTES


@coupons.get("/coupons")
@signed_in
def pools() -> Any:
    _require_view()
    page = requested_page()
    today = now().astimezone(INDIA).date()
    rows, total = coupon_pools(session(), viewer(), today, page.size, page.offset)
    return render_template("coupons/pools.html", rows=rows, page=Pager(page, total), today=today)


@coupons.get("/coupons/runs/<int:run_id>")
@signed_in
def run(run_id: int) -> Any:
    _require_view()
    return _run_page(run_id, UploadForm(formdata=None), {}, None)


@coupons.post("/coupons/runs/<int:run_id>")
@signed_in
def upload(run_id: int) -> Any:
    require(may_manage_coupons(viewer()), _("Only the course team may add coupon codes."))
    form = UploadForm()
    confirmed = form.confirm.data == "yes"
    try:
        lines = _read(form, confirmed)
        outcome = upload_codes(session(), viewer(), run_id, lines, confirmed, now())
        commit()
    except Invalid as error:
        session().rollback()
        errors = {name: engine_text(why) for name, why in error.fields.items()}
        return _run_page(run_id, form, errors, None, status=422)
    if outcome.check.problems and not outcome.added:
        return _run_page(run_id, form, {}, outcome)
    if outcome.check.problems:
        flash(
            _(
                "Added %(added)s codes; %(skipped)s lines with a problem were not added.",
                added=outcome.added,
                skipped=len(outcome.check.problems),
            ),
            "success",
        )
    else:
        flash(_("Added %(added)s codes.", added=outcome.added), "success")
    return redirect(url_for("ui.coupons.run", run_id=run_id))


@coupons.route("/coupons/codes/<code>/void", methods=["GET", "POST"])
@signed_in
def void(code: str) -> Any:
    require(may_manage_coupons(viewer()), _("Only the course team may void coupon codes."))
    coupon = get_coupon(session(), viewer(), code)
    form = VoidForm()
    if not form.is_submitted():
        return render_template("coupons/void.html", coupon=coupon, form=form, fields=form_fields(form))
    try:
        void_coupon(session(), viewer(), code, form.reason.data, now())
        commit()
    except Invalid as error:
        session().rollback()
        form.reason.errors = [engine_text(error.fields.get("reason", error.message))]
        page = render_template("coupons/void.html", coupon=coupon, form=form, fields=form_fields(form))
        return page, 422
    except Conflict as error:
        session().rollback()
        flash(_("The code was not voided: %(reason)s.", reason=engine_text(error.message)), "error")
        return redirect(url_for("ui.coupons.run", run_id=coupon.course_run_id))
    flash(_("Code %(code)s is voided; it will never be given.", code=code), "success")
    return redirect(url_for("ui.coupons.run", run_id=coupon.course_run_id, state="voided"))


def _read(form: UploadForm, confirmed: bool) -> list[CodeLine]:
    """The codes of the post: the valid codes of a report being confirmed, a file, or the text."""
    if confirmed:
        return read_pasted_codes(form.valid_codes.data or "")
    file = form.file.data
    pasted = (form.codes.data or "").strip()
    if file is not None and file.filename:
        if pasted:
            both = _("Paste codes or choose a file, not both.")
            raise Invalid(both, {"file": both})
        return read_csv_codes(file.stream.read(MAX_FILE_BYTES + 1))
    return read_pasted_codes(pasted)


def _run_page(
    run_id: int, form: UploadForm, errors: dict[str, str], outcome: UploadOutcome | None, status: int = 200
) -> Any:
    state = request.args.get("state") or None
    if state not in (None, *COUPON_STATES):
        state = None
    page = requested_page()
    pool = pool_of_run(session(), viewer(), run_id)
    codes, total = run_codes(session(), viewer(), run_id, state, page.size, page.offset)
    return (
        render_template(
            "coupons/run.html",
            pool=pool,
            codes=codes,
            state=state,
            states=COUPON_STATES,
            page=Pager(page, total),
            form=form,
            fields=form.fields(errors),
            problems=[message for name, message in errors.items() if name not in ("codes", "file")],
            outcome=outcome,
            may_manage=may_manage_coupons(viewer()),
        ),
        status,
    )


def _require_view() -> None:
    require(may_view_coupons(viewer()), _("This page is not open to your account."))
