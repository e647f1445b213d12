"""Who is signed in to the UI: the user id in the session cookie, looked up per request.

The cookie also carries the user's `session_generation` at sign-in; signing out and a new
password move the user's on, so every cookie saved before is refused from then on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import g, redirect, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from engine.errors import Forbidden
from engine.models import User
from webapp.core.database import now, session

USER_KEY = "user_id"
LANGUAGE_KEY = "lang"
SIGNED_IN_AT = "signed_in_at"
GENERATION_KEY = "generation"
# A signed cookie cannot be revoked, so it is only honoured this long after sign-in.
SESSION_LIFETIME = timedelta(hours=12)
STAFF_ROLES = ("cca_approver", "dopt", "course_team", "finance")

F = TypeVar("F", bound=Callable[..., Any])


def current_user() -> User | None:
    """The signed-in user, or None (not signed in, the sign-in is too old, the account was
    deactivated since, or the user signed out or got a new password since: the cookie's
    generation is no longer the user's `session_generation`). The user row is read once per
    request anyway, so the check costs no query."""
    if "ui_user" not in g:
        g.ui_user = _user_from_cookie()
    user: User | None = g.ui_user
    return user


def _user_from_cookie() -> User | None:
    user_id = cookie.get(USER_KEY)
    signed_in_at = cookie.get(SIGNED_IN_AT)
    if not isinstance(user_id, int) or not isinstance(signed_in_at, int | float):
        return None
    age = now().timestamp() - signed_in_at
    if age < 0 or age > SESSION_LIFETIME.total_seconds():
        return None
    # The roles and the officer profile in the same statement: every page reads them.
    user = session().get(User, user_id, options=[joinedload(User.role_rows), joinedload(User.officer)])
    if user is None or not user.active or cookie.get(GENERATION_KEY) != user.session_generation:
        return None
    return user


def viewer() -> User:
    """The signed-in user of a view wrapped in `signed_in`."""
    user = current_user()
    if user is None:
        raise LookupError("viewer() outside a signed_in view")
    return user


def sign_in(user: User) -> None:
    """Start a new session for the user, keeping only the language choice.

    Clearing the cookie also drops Flask-WTF's CSRF secret, so a token seen before
    sign-in is not valid after it.
    """
    _restart_session()
    cookie[USER_KEY] = user.id
    cookie[SIGNED_IN_AT] = int(now().timestamp())
    cookie[GENERATION_KEY] = user.session_generation
    g.ui_user = user


def sign_out() -> None:
    """Forget the user, and end every sign-in of theirs made before (the user's
    `session_generation` moves on, so a copy of an older cookie is refused); the language
    choice stays. The caller commits."""
    user = current_user()
    if user is not None:
        user.session_generation += 1
    _restart_session()
    g.ui_user = None


def _restart_session() -> None:
    language = cookie.get(LANGUAGE_KEY)
    cookie.clear()
    if language:
        cookie[LANGUAGE_KEY] = language


def signed_in(view: F) -> F:
    """Send people who are not signed in to the sign-in page, and back here afterwards."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("ui.accounts.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def require_any_role(*roles: str) -> None:
    """Forbidden unless the signed-in user holds one of the roles."""
    if not any(viewer().has_role(role) for role in roles):
        raise Forbidden(_("This page is not open to your account."))


def is_staff(user: User) -> bool:
    """True for users who work an inbox of staff tasks."""
    return any(user.has_role(role) for role in STAFF_ROLES)


def safe_next(target: str | None, fallback: str) -> str:
    """A local path to go to after a form, never another site (no open redirect), and never
    one with a control character (a line break would split the Location header)."""
    if not target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target
