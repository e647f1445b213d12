"""Sign in, sign out, register as an officer, choose the language."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.errors import Conflict, Invalid, Unauthorized
from engine.models import CCA
from engine.services.applications import INDIA
from engine.services.auth import BAD_CREDENTIALS, authenticate
from engine.services.password_reset import RESET_ANSWER, link_is_usable, request_reset
from engine.services.password_reset import reset_password as new_password
from engine.services.people import register_officer
from webapp.core import throttle
from webapp.core.database import commit, now, session
from webapp.ui import i18n, identity
from webapp.ui.accounts.blueprint import accounts
from webapp.ui.accounts.forms import (
    ForgotPasswordForm,
    LanguageForm,
    NewPasswordForm,
    RegistrationForm,
    SignInForm,
)
from webapp.ui.fields import attach_errors, form_fields


@accounts.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    form = SignInForm()
    next_page = identity.safe_next(form.next.data or request.args.get("next"), url_for("ui.portal.home"))
    form.next.data = next_page
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/sign_in.html", form=form, fields=form_fields(form)), status
    username = form.username.data or ""
    try:
        throttle.check_sign_in(username)
        user = authenticate(session(), username, form.password.data or "", now())
    except throttle.Throttled as error:
        said = throttle.refusal(error.retry_after)
        page = render_template("accounts/sign_in.html", form=form, fields=form_fields(form), problem=said.message)
        return page, 429, {"Retry-After": str(said.retry_after)}
    except Unauthorized as error:
        commit()  # keep the count of wrong passwords the administrator sees
        if error.message == BAD_CREDENTIALS:
            throttle.count_failed_sign_in(username)
        problem = i18n.engine_text(error.message)
        return render_template("accounts/sign_in.html", form=form, fields=form_fields(form), problem=problem), 401
    commit()
    identity.sign_in(user)
    return redirect(next_page)


@accounts.post("/sign-out")
def sign_out() -> Any:
    identity.sign_out()
    commit()
    flash(_("You have signed out."), "success")
    return redirect(url_for("ui.portal.home"))


@accounts.route("/register", methods=["GET", "POST"])
@throttle.limiter.limit(throttle.account_form_limit, methods=["POST"])
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


@accounts.route("/password/forgot", methods=["GET", "POST"])
@throttle.limiter.limit(throttle.account_form_limit, methods=["POST"])
def forgot_password() -> Any:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/forgot_password.html", form=form, fields=form_fields(form)), status
    try:
        request_reset(session(), form.email.data, now())
        commit()
    except Invalid as error:
        attach_errors(form, error.fields)
        return render_template("accounts/forgot_password.html", form=form, fields=form_fields(form)), 422
    answer = i18n.engine_text(RESET_ANSWER)
    return render_template("accounts/forgot_password.html", sent=True, answer=answer, fields=[])


@accounts.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    form = NewPasswordForm()
    page = {"form": form, "token": token, "usable": link_is_usable(session(), token, now())}
    if not page["usable"]:
        return render_template("accounts/reset_password.html", fields=[], **page), 404
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/reset_password.html", fields=form_fields(form), **page), status
    try:
        new_password(session(), token, form.password.data, now())
        commit()
    except Invalid as error:
        unplaced = attach_errors(form, error.fields)
        problems = [i18n.engine_text(error.message), *unplaced.values()]
        fields = form_fields(form)
        return render_template("accounts/reset_password.html", fields=fields, problems=problems, **page), 422
    flash(_("Your new password is saved. Sign in with it."), "success")
    return redirect(url_for("ui.accounts.sign_in"))
