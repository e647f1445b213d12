"""The administrator's pages: users, CCAs and the audit of every change to them."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.errors import Conflict, Invalid
from engine.lanes import ROLES
from engine.models import CCA, User
from engine.services.accounts import (
    ACCOUNT_ACTIONS,
    account_audit,
    account_history,
    add_cca,
    add_user,
    cca_use,
    ccas_in_use,
    change_cca,
    change_user,
    get_user,
    is_locked,
    list_users,
    new_password,
    unlock,
)
from engine.services.paging import PageRequest
from webapp.core.database import commit, now, session
from webapp.core.throttle import clear_sign_in_slowdown
from webapp.ui.account_changes import action_words, changes
from webapp.ui.admin.blueprint import admin
from webapp.ui.admin.forms import STAFF_ROLES, CcaForm, ConfirmForm, NewUserForm, PasswordForm, RolesForm, users_query
from webapp.ui.fields import attach_errors, form_fields
from webapp.ui.i18n import engine_text, sentence
from webapp.ui.identity import require_any_role, signed_in, viewer

PAGE_SIZE = 25


@admin.before_request
@signed_in
def _administrators_only() -> Any:
    """Every page here is for administrators (engine.access.can_administer), and says so to others."""
    require_any_role("admin")
    return None


@admin.context_processor
def _words() -> dict[str, Any]:
    """Audit entries in words on every administration page: the action, and each field changed."""
    names = {cca.code: cca.name for cca in _ccas()}
    return {"action_words": action_words, "entry_changes": lambda entry: changes(entry, names), "cca_names": names}


def _ccas() -> list[CCA]:
    return list(session().scalars(select(CCA).order_by(CCA.name)))


def _problems(error: Invalid | Conflict, form: Any) -> list[str]:
    """The error's field messages on the form's fields; the rest (and the message) as problems."""
    if isinstance(error, Conflict):
        return [sentence(engine_text(error.message))]
    unplaced = attach_errors(form, {name: engine_text(why) for name, why in error.fields.items()})
    return [engine_text(error.message), *unplaced.values()]


@admin.get("")
def home() -> Any:
    return render_template("admin/home.html")


@admin.get("/users")
def users() -> Any:
    query = users_query(request.args)
    page = list_users(session(), viewer(), query.filters, PageRequest(query.page, PAGE_SIZE))
    return render_template("admin/users.html", page=page, query=query, roles=ROLES, now=now())


@admin.route("/users/new", methods=["GET", "POST"])
def new_user() -> Any:
    form = NewUserForm(_ccas())
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("admin/user_new.html", form=form, fields=form_fields(form)), status
    try:
        user = add_user(
            session(),
            viewer(),
            form.username.data,
            form.password.data,
            form.roles.data,
            form.cca.data or None,
            now(),
            form.email.data or None,
        )
        commit()
    except (Invalid, Conflict) as error:
        session().rollback()
        problems = _problems(error, form)
        page = render_template("admin/user_new.html", form=form, fields=form_fields(form), problems=problems)
        return page, 409 if isinstance(error, Conflict) else 422
    flash(_("User %(username)s was created.", username=user.username), "success")
    return redirect(url_for("ui.admin.user", username=user.username))


@admin.get("/users/<username>")
def user(username: str) -> Any:
    found = get_user(session(), viewer(), username)
    return _user_page(found, _roles_form(found), PasswordForm(formdata=None))


def _roles_form(user: User, **kwargs: Any) -> RolesForm:
    roles = STAFF_ROLES + (("officer",) if user.officer is not None else ())
    form = RolesForm(_ccas(), roles, **kwargs)
    if not form.is_submitted():
        form.roles.data = user.roles
        form.cca.data = user.cca_code or ""
    return form


def _user_page(user: User, roles_form: RolesForm, password_form: PasswordForm, status: int = 200, **extra: Any) -> Any:
    history = account_history(session(), user.username, ACCOUNT_ACTIONS)
    page = render_template(
        "admin/user.html",
        account=user,
        me=viewer(),
        locked=is_locked(user, now()),
        roles_form=roles_form,
        roles_fields=form_fields(roles_form),
        password_form=password_form,
        password_fields=form_fields(password_form),
        history=history,
        **extra,
    )
    return page, status


@admin.post("/users/<username>/roles")
def change_roles(username: str) -> Any:
    found = get_user(session(), viewer(), username)
    form = _roles_form(found)
    if not form.validate_on_submit():
        return _user_page(found, form, PasswordForm(formdata=None), 422)
    try:
        change_user(session(), viewer(), found, form.changes(), now())
        commit()
    except Invalid as error:
        session().rollback()
        problems = _problems(error, form)
        return _user_page(
            get_user(session(), viewer(), username), form, PasswordForm(formdata=None), 422, role_problems=problems
        )
    flash(_("The roles of %(username)s were saved.", username=username), "success")
    return redirect(url_for("ui.admin.user", username=username))


@admin.post("/users/<username>/password")
def set_password(username: str) -> Any:
    found = get_user(session(), viewer(), username)
    form = PasswordForm()
    if not form.validate_on_submit():
        return _user_page(found, _roles_form(found, formdata=None), form, 422)
    try:
        new_password(session(), viewer(), found, form.password.data, now())
        commit()
    except Invalid as error:
        session().rollback()
        problems = _problems(error, form)
        found = get_user(session(), viewer(), username)
        return _user_page(found, _roles_form(found, formdata=None), form, 422, password_problems=problems)
    flash(_("A new password was set for %(username)s; tell it to them in person.", username=username), "success")
    return redirect(url_for("ui.admin.user", username=username))


@admin.route("/users/<username>/<any(deactivate, reactivate):action>", methods=["GET", "POST"])
def switch(username: str, action: str) -> Any:
    """Deactivate or reactivate an account, after a confirmation page."""
    found = get_user(session(), viewer(), username)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("admin/confirm_switch.html", account=found, action=action, me=viewer(), form=form)
    try:
        change_user(session(), viewer(), found, {"active": action == "reactivate"}, now())
        commit()
    except Invalid as error:
        session().rollback()
        flash(" ".join(engine_text(why) for why in error.fields.values()), "error")
    else:
        if action == "deactivate":
            flash(
                _("%(username)s is deactivated: they cannot sign in, and their tokens have ended.", username=username),
                "success",
            )
        else:
            flash(_("%(username)s is active again and can sign in.", username=username), "success")
    return redirect(url_for("ui.admin.user", username=username))


@admin.post("/users/<username>/unlock")
def unlock_user(username: str) -> Any:
    form = ConfirmForm()
    if form.validate_on_submit():
        unlock(session(), viewer(), get_user(session(), viewer(), username), now())
        commit()
        clear_sign_in_slowdown(username)
        flash(_("%(username)s may sign in again at once.", username=username), "success")
    return redirect(url_for("ui.admin.user", username=username))


@admin.get("/ccas")
def ccas() -> Any:
    return render_template("admin/ccas.html", rows=ccas_in_use(session()))


@admin.route("/ccas/new", methods=["GET", "POST"])
def new_cca() -> Any:
    form = CcaForm(data={"approval_required": True} if request.method == "GET" else None)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("admin/cca_form.html", form=form, fields=form_fields(form), use=None), status
    try:
        cca = add_cca(session(), viewer(), form.body(), now())
        commit()
    except (Invalid, Conflict) as error:
        session().rollback()
        problems = _problems(error, form)
        page = render_template("admin/cca_form.html", form=form, fields=form_fields(form), use=None, problems=problems)
        return page, 409 if isinstance(error, Conflict) else 422
    flash(_("The authority %(name)s was added.", name=cca.name), "success")
    return redirect(url_for("ui.admin.ccas"))


@admin.route("/ccas/<code>", methods=["GET", "POST"])
def cca(code: str) -> Any:
    use = cca_use(session(), code)
    form = CcaForm(obj=use.cca) if request.method == "GET" else CcaForm()
    if use.in_use:
        form.code.render_kw = {**(form.code.render_kw or {}), "readonly": True}
    history = account_history(session(), code, ACCOUNT_ACTIONS)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        fields = form_fields(form)
        return render_template("admin/cca_form.html", form=form, fields=fields, use=use, history=history), status
    try:
        changed = change_cca(session(), viewer(), code, form.body(), now())
        commit()
    except (Invalid, Conflict) as error:
        session().rollback()
        problems = _problems(error, form)
        use = cca_use(session(), code)
        fields = form_fields(form)
        page = render_template(
            "admin/cca_form.html", form=form, fields=fields, use=use, history=history, problems=problems
        )
        return page, 409 if isinstance(error, Conflict) else 422
    flash(_("The authority %(name)s was saved.", name=changed.name), "success")
    return redirect(url_for("ui.admin.ccas"))


@admin.get("/audit")
def audit() -> Any:
    number = request.args.get("page", "")
    page_number = int(number) if number.isdigit() and 0 < len(number) < 8 and int(number) > 0 else 1
    page = account_audit(session(), viewer(), PageRequest(page_number, PAGE_SIZE))
    return render_template("admin/audit.html", page=page)
