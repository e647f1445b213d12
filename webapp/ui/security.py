"""The UI's session cookie, CSRF protection and response headers.

The session is Flask's signed cookie: it holds the signed-in user's id, when they signed
in, a per-session CSRF token and the chosen language; nothing secret. The cookie is
HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS (or always, with
SESSION_COOKIE_SECURE / IGOT_SESSION_COOKIE_SECURE). Behind a proxy that ends TLS, wrap
the app in werkzeug's ProxyFix so that request.is_secure sees the original scheme.
"""

from __future__ import annotations

import hmac
import os
import secrets

from flask import Flask, abort, has_request_context, request
from flask import session as cookie
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_FAILED = (
    "This form has expired or did not come from this site, so nothing was done. Go back, reload the page and try again."
)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # bpmn-js sets style attributes on the diagram's SVG; no other page needs this.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure for HTTPS requests even when not configured so."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return configured or (has_request_context() and request.is_secure)


def csrf_token() -> str:
    """This session's CSRF token, made on first use; every POST form carries it."""
    token = cookie.get(CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        cookie[CSRF_KEY] = token
    return token


def renew_csrf_token() -> None:
    """A fresh token, for a new sign-in (a token seen before sign-in is not reused)."""
    cookie[CSRF_KEY] = secrets.token_urlsafe(32)


def check_csrf() -> None:
    """Refuse (400) any state-changing request whose form lacks this session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = cookie.get(CSRF_KEY)
    sent = request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not expected or not hmac.compare_digest(expected, sent):
        abort(400, CSRF_FAILED)


def _security_headers(response: Response) -> Response:
    if request.path.startswith("/api/"):
        return response
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    """Configure the cookie and the headers every page gets."""
    app.session_interface = SessionCookie()
    app.config.update(
        SESSION_COOKIE_NAME="igot_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if os.environ.get("IGOT_SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes"):
        app.config["SESSION_COOKIE_SECURE"] = True
    app.after_request(_security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["CSRF_FIELD"] = CSRF_FIELD
