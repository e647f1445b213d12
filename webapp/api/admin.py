"""Administration: users (list, create, change, new password, unlock), CCAs and the account audit."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.errors import Invalid
from engine.services.accounts import (
    UserFilter,
    account_audit,
    add_cca,
    add_user,
    change_cca,
    change_user,
    get_user,
    list_users,
    new_password,
    unlock,
)
from engine.services.paging import PageRequest
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller
from webapp.api.paging import paged
from webapp.api.presenters import account_change_json, admin_user_json, cca_json
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session
from webapp.core.paging import requested_page
from webapp.core.throttle import clear_sign_in_slowdown


@api.get("/users")
@authenticated
def users() -> Any:
    page = requested_page()
    found = list_users(session(), caller(), _user_filter(), PageRequest(page.number, page.size))
    return paged([admin_user_json(user, now()) for user in found.items], found.total, page)


def _user_filter() -> UserFilter:
    active = request.args.get("active")
    if active not in (None, "", "true", "false"):
        raise Invalid("active must be true or false", {"active": "true or false"})
    return UserFilter(
        search=(request.args.get("q") or "").strip()[:100] or None,
        role=(request.args.get("role") or "").strip()[:32] or None,
        active=None if not active else active == "true",
    )


@api.post("/users")
@authenticated
def add_user_account() -> Any:
    body = json_object(
        allowed={"username", "password", "roles", "cca", "email"}, required={"username", "password", "roles"}
    )
    user = add_user(
        session(),
        caller(),
        body["username"],
        body["password"],
        body["roles"],
        body.get("cca"),
        now(),
        body.get("email"),
    )
    commit()
    return jsonify(admin_user_json(user, now())), 201


@api.get("/users/<username>")
@authenticated
def user(username: str) -> Any:
    return jsonify(admin_user_json(get_user(session(), caller(), username), now()))


@api.patch("/users/<username>")
@authenticated
def change_user_account(username: str) -> Any:
    body = json_object(allowed={"roles", "cca", "active"})
    changed = change_user(session(), caller(), get_user(session(), caller(), username), body, now())
    commit()
    return jsonify(admin_user_json(changed, now()))


@api.post("/users/<username>/password")
@authenticated
def set_user_password(username: str) -> Any:
    body = json_object(allowed={"password"}, required={"password"})
    target = get_user(session(), caller(), username)
    new_password(session(), caller(), target, body["password"], now())
    commit()
    return jsonify(admin_user_json(target, now()))


@api.post("/users/<username>/unlock")
@authenticated
def unlock_user(username: str) -> Any:
    unlocked = unlock(session(), caller(), get_user(session(), caller(), username), now())
    commit()
    clear_sign_in_slowdown(unlocked.username)
    return jsonify(admin_user_json(unlocked, now()))


@api.post("/ccas")
@authenticated
def add_cca_entry() -> Any:
    cca = add_cca(session(), caller(), json_object(), now())
    commit()
    return jsonify(cca_json(cca)), 201


@api.patch("/ccas/<code>")
@authenticated
def change_cca_entry(code: str) -> Any:
    cca = change_cca(session(), caller(), code, json_object(), now())
    commit()
    return jsonify(cca_json(cca))


@api.get("/admin/audit")
@authenticated
def audit() -> Any:
    page = requested_page()
    found = account_audit(session(), caller(), PageRequest(page.number, page.size))
    return paged([account_change_json(entry) for entry in found.items], found.total, page)
