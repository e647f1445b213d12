"""Tokens, officer registration and the caller's own record."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine.errors import Unauthorized
from engine.models import User
from engine.services.applications import INDIA
from engine.services.auth import BAD_CREDENTIALS, authenticate, issue_token, revoke_token
from engine.services.password_reset import RESET_ANSWER, request_reset, reset_password
from engine.services.people import officer_profile, register_officer
from engine.services.profile import change_own_password, change_profile
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, bearer_token, caller
from webapp.api.presenters import user_json
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session
from webapp.core.throttle import account_form_limit, check_sign_in, count_failed_sign_in, limiter


@api.post("/auth/token")
def create_token() -> Any:
    body = json_object(allowed={"username", "password"}, required={"username", "password"})
    username = body["username"] if isinstance(body["username"], str) else ""
    check_sign_in(username)
    try:
        user = authenticate(session(), body["username"], body["password"], now())
    except Unauthorized as error:
        commit()  # keep the count of wrong passwords the administrator sees
        if error.message == BAD_CREDENTIALS:
            count_failed_sign_in(username)
        raise
    token = issue_token(session(), user, now())
    commit()
    return jsonify({"token": token, "user": user_json(user)})


@api.delete("/auth/token")
@authenticated
def delete_token() -> Any:
    revoke_token(session(), bearer_token() or "", now())
    commit()
    return "", 204


@api.post("/officers")
@limiter.limit(account_form_limit)
def register() -> Any:
    body = json_object()
    user = register_officer(session(), body, now().date())
    commit()
    return jsonify({"username": user.username, **(officer_profile(user) or {})}), 201


@api.get("/me")
@authenticated
def me() -> Any:
    return jsonify(_me_json(caller()))


def _me_json(user: User) -> dict[str, Any]:
    return {
        **user_json(user),
        "email": user.mail_address,
        "mail_delivery": user.mail_delivery,
        "profile": officer_profile(user),
    }


@api.patch("/me")
@authenticated
def change_me() -> Any:
    user = caller()
    change_profile(session(), user, user, json_object(), now().astimezone(INDIA).date(), now())
    commit()
    return jsonify(_me_json(user))


@api.post("/me/password")
@authenticated
def change_my_password() -> Any:
    body = json_object(allowed={"current_password", "new_password"}, required={"current_password", "new_password"})
    change_own_password(session(), caller(), body["current_password"], body["new_password"], now())
    commit()
    return "", 204


@api.post("/auth/password-reset")
@limiter.limit(account_form_limit)
def ask_password_reset() -> Any:
    body = json_object(allowed={"email"}, required={"email"})
    request_reset(session(), body["email"], now())
    commit()
    return jsonify({"message": RESET_ANSWER}), 202


@api.post("/auth/password-reset/confirm")
def confirm_password_reset() -> Any:
    body = json_object(allowed={"token", "password"}, required={"token", "password"})
    user = reset_password(session(), body["token"], body["password"], now())
    commit()
    return jsonify({"username": user.username})
