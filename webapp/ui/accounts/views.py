"""Sign in, sign out, register as an officer, choose the language."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.errors import Conflict, Invalid, Unauthorized
from engine.models import CCA
from engine.services.applications import INDIA
from engine.services.auth import authenticate
from engine.services.people import register_officer
from webapp.core.database import commit, now, session
from webapp.ui import i18n, identity
from webapp.ui.accounts.blueprint import accounts
from webapp.ui.accounts.forms import LanguageForm, RegistrationForm, SignInForm
from webapp.ui.fields import attach_errors, form_fields


@accounts.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    form = SignInForm()
    next_page = identity.safe_next(form.next.data or request.args.get("next"), url_for("ui.portal.home"))
    form.next.data = next_page
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/sign_in.html", form=form, fields=form_fields(form)), status
    try:
        user = authenticate(session(), form.username.data or "", form.password.data or "", now())
    except Unauthorized as error:
        commit()  # keep the failure count, which drives the lock-out
        problem = i18n.engine_text(error.message)
        return render_template("accounts/sign_in.html", form=form, fields=form_fields(form), problem=problem), 401
    commit()
    identity.sign_in(user)
    return redirect(next_page)


@accounts.post("/sign-out")
def sign_out() -> Any:
    identity.sign_out()
    flash(_("You have signed out."), "success")
    return redirect(url_for("ui.portal.home"))


@accounts.route("/register", methods=["GET", "POST"])
def register() -> Any:
    if identity.current_user() is not None:
        return redirect(url_for("ui.portal.home"))
    form = RegistrationForm(session().scalars(select(CCA).order_by(CCA.name)))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/register.html", form=form, fields=form_fields(form)), status
    try:
        user = register_officer(session(), form.body(), now().astimezone(INDIA).date())
        commit()
    except Invalid as error:
        unplaced = attach_errors(form, error.fields)
        problems = [i18n.engine_text(error.message), *unplaced.values()]
        return render_template("accounts/register.html", form=form, fields=form_fields(form), problems=problems), 422
    except Conflict as error:
        problems = [i18n.sentence(i18n.engine_text(error.message))]
        return render_template("accounts/register.html", form=form, fields=form_fields(form), problems=problems), 409
    identity.sign_in(user)
    flash(_("You are registered and signed in. Choose a course run to apply for."), "success")
    return redirect(url_for("ui.portal.courses"))


@accounts.post("/language/<code>")
def language(code: str) -> Any:
    form = LanguageForm()
    i18n.choose_language(code, identity.current_user())
    commit()
    return redirect(identity.safe_next(form.next.data, url_for("ui.portal.home")))
