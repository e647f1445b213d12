"""Sign in, sign out, register as an officer, choose the language."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from engine.errors import Conflict, Invalid, Unauthorized
from engine.models import CCA
from engine.services.applications import INDIA
from engine.services.auth import authenticate
from engine.services.people import register_officer
from webapp.core.database import commit, now, session
from webapp.ui import identity
from webapp.ui.accounts.blueprint import accounts
from webapp.ui.accounts.forms import SIGN_IN_FIELDS, entered_values, registration_body, registration_fields
from webapp.ui.fields import bind
from webapp.ui.i18n import choose_language


@accounts.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    next_page = identity.safe_next(request.values.get("next"), url_for("ui.portal.home"))
    if request.method == "GET":
        return render_template("accounts/sign_in.html", fields=list(SIGN_IN_FIELDS), next=next_page)
    username = request.form.get("username", "")
    try:
        user = authenticate(session(), username, request.form.get("password", ""), now())
    except Unauthorized as error:
        commit()  # keep the failure count, which drives the lock-out
        fields = bind(SIGN_IN_FIELDS, {"username": username}, {})
        return render_template("accounts/sign_in.html", fields=fields, next=next_page, problem=error.message), 401
    commit()
    identity.sign_in(user)
    return redirect(next_page)


@accounts.post("/sign-out")
def sign_out() -> Any:
    identity.sign_out()
    flash("You have signed out.", "success")
    return redirect(url_for("ui.portal.home"))


@accounts.route("/register", methods=["GET", "POST"])
def register() -> Any:
    if identity.current_user() is not None:
        return redirect(url_for("ui.portal.home"))
    fields = registration_fields(session().scalars(select(CCA).order_by(CCA.name)))
    if request.method == "GET":
        return render_template("accounts/register.html", fields=fields)
    body = registration_body(request.form)
    try:
        user = register_officer(session(), body, now().astimezone(INDIA).date())
        commit()
    except Invalid as error:
        bound = bind(fields, entered_values(body), error.fields)
        return render_template("accounts/register.html", fields=bound, problem=error.message), 422
    except Conflict as error:
        bound = bind(fields, entered_values(body), {})
        return render_template("accounts/register.html", fields=bound, problem=_sentence(error.message)), 409
    identity.sign_in(user)
    flash("You are registered and signed in. Choose a course run to apply for.", "success")
    return redirect(url_for("ui.portal.courses"))


@accounts.get("/language/<code>")
def language(code: str) -> Any:
    choose_language(code)
    return redirect(identity.safe_next(request.args.get("next"), url_for("ui.portal.home")))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
