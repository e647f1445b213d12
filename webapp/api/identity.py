"""Who is calling the API: a bearer token, checked on every request but two."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from engine.errors import Forbidden, Unauthorized
from engine.models import User
from engine.services.auth import user_for_token
from webapp.core.database import now, session

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str | None:
    """The token of the Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def caller() -> User:
    """The authenticated user of this request."""
    user: User = g.api_user
    return user


def authenticated(view: F) -> F:
    """Require a valid bearer token."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        if token is None:
            raise Unauthorized("Send Authorization: Bearer <token> (POST /api/v1/auth/token gives one)")
        g.api_user = user_for_token(session(), token, now())
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def require_role(*roles: str) -> None:
    """Forbidden unless the caller holds one of the roles."""
    user = caller()
    if not any(user.has_role(role) for role in roles):
        raise Forbidden("Your role may not do this: needs " + " or ".join(roles))
