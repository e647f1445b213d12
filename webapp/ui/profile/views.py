"""My account: an officer's details (contact details editable, service details under the rule of
engine.access.can_change_service_details), the history of their changes, and the password."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.access import can_change_service_details
from engine.errors import Conflict, Invalid
from engine.models import CCA, User
from engine.services.applications import INDIA
from engine.services.profile import change_own_password, change_profile, has_live_application, profile_history
from webapp.core.database import commit, now, session
from webapp.ui import identity
from webapp.ui.account_changes import changes
from webapp.ui.fields import attach_errors, form_fields
from webapp.ui.i18n import engine_text, sentence
from webapp.ui.identity import signed_in, viewer
from webapp.ui.profile.blueprint import profile
from webapp.ui.profile.forms import ContactForm, OwnPasswordForm, ServiceForm


@profile.context_processor
def _words() -> dict[str, Any]:
    """The changes of the officer's history in words."""
    names = {cca.code: cca.name for cca in _ccas()}
    return {"entry_changes": lambda entry: changes(entry, names)}


def _ccas() -> list[CCA]:
    return list(session().scalars(select(CCA).order_by(CCA.name)))


def _may_change_service(user: User) -> bool:
    return can_change_service_details(user, user, has_live_application(session(), user))


def _problems(error: Invalid | Conflict, form: Any) -> list[str]:
    if isinstance(error, Conflict):
        return [sentence(engine_text(error.message))]
    unplaced = attach_errors(form, {name: engine_text(why) for name, why in error.fields.items()})
    return [engine_text(error.message), *unplaced.values()]


def _account_page(contact: ContactForm | None, status: int = 200, problems: list[str] | None = None) -> Any:
    user = viewer()
    officer = user.officer
    return (
        render_template(
            "profile/account.html",
            user=user,
            officer=officer,
            contact_fields=form_fields(contact) if contact else [],
            problems=problems or [],
            may_change_service=officer is not None and _may_change_service(user),
            cca=session().get(CCA, officer.cca_code) if officer else None,
            history=profile_history(session(), user) if officer else [],
        ),
        status,
    )


@profile.get("")
@signed_in
def account() -> Any:
    officer = viewer().officer
    return _account_page(ContactForm(obj=officer) if officer else None)


@profile.post("/contact")
@signed_in
def contact() -> Any:
    user = viewer()
    if user.officer is None:
        return redirect(url_for("ui.profile.account"))
    form = ContactForm()
    if not form.validate_on_submit():
        return _account_page(form, 422)
    try:
        change_profile(session(), user, user, form.body(), now().astimezone(INDIA).date(), now())
        commit()
    except (Invalid, Conflict) as error:
        session().rollback()
        problems = _problems(error, form)
        return _account_page(form, 409 if isinstance(error, Conflict) else 422, problems)
    flash(_("Your contact details were saved."), "success")
    return redirect(url_for("ui.profile.account"))


@profile.route("/service", methods=["GET", "POST"])
@signed_in
def service() -> Any:
    user = viewer()
    officer = user.officer
    if officer is None:
        return redirect(url_for("ui.profile.account"))
    allowed = _may_change_service(user)
    form = ServiceForm(_ccas(), obj=officer, cca=officer.cca_code)
    if not allowed or not form.validate_on_submit():
        status = 422 if allowed and form.is_submitted() else (409 if form.is_submitted() else 200)
        return render_template("profile/service.html", fields=form_fields(form), allowed=allowed), status
    try:
        change_profile(session(), user, user, form.body(), now().astimezone(INDIA).date(), now())
        commit()
    except (Invalid, Conflict) as error:
        session().rollback()
        problems = _problems(error, form)
        page = render_template("profile/service.html", fields=form_fields(form), allowed=allowed, problems=problems)
        return page, 409 if isinstance(error, Conflict) else 422
    flash(_("Your service details were saved. They apply to your next application."), "success")
    return redirect(url_for("ui.profile.account"))


@profile.route("/password", methods=["GET", "POST"])
@signed_in
def password() -> Any:
    user = viewer()
    form = OwnPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("profile/password.html", fields=form_fields(form)), status
    try:
        change_own_password(session(), user, form.current_password.data, form.new_password.data, now())
        commit()
    except Invalid as error:
        session().rollback()
        problems = _problems(error, form)
        return render_template("profile/password.html", fields=form_fields(form), problems=problems), 422
    # A new session for the new password: the old cookie's CSRF secret goes with it.
    identity.sign_in(user)
    flash(_("Your password was changed. Use the new one from now on."), "success")
    return redirect(url_for("ui.profile.account"))
