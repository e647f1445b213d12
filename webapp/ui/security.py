"""The UI's session cookie, CSRF protection (Flask-WTF) and response headers.

The session is Flask's signed cookie: it holds the signed-in user's id, when they signed
in, their session generation then (signing out and a new password move it on, which ends
every older cookie), Flask-WTF's CSRF secret and the chosen language; nothing secret. The cookie is
HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS (or always, with
SESSION_COOKIE_SECURE / IGOT_SESSION_COOKIE_SECURE). Behind a proxy that ends TLS, set
IGOT_TRUSTED_PROXIES to the number of proxies (webapp/__init__.py wraps the app in
werkzeug's ProxyFix) so that request.is_secure sees the original scheme.

Every POST to a page must carry Flask-WTF's token (field `csrf_token`); a request without
a valid one is refused with 400 and a page saying the form expired. The JSON API is
exempt: it authenticates with bearer tokens, which a browser never sends by itself.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response

from webapp.core.errors import error_response
from webapp.ui.identity import SESSION_LIFETIME

csrf = CSRFProtect()

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


def _security_headers(response: Response) -> Response:
    if request.path.startswith("/api/"):
        return response
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _form_expired(_error: CSRFError) -> Any:
    return error_response(
        400,
        "csrf_failed",
        _(
            "This form has expired or did not come from this site, so nothing was done. "
            "Go back, reload the page and try again."
        ),
    )


def init_app(app: Flask, api: Blueprint) -> None:
    """Configure the cookie, CSRF protection (the API exempt) and the headers every page gets.

    Call it after the blueprints are registered: the CSRF check reads the form, and the
    BPMN editor's hook that allows its larger form must run first.
    """
    app.session_interface = SessionCookie()
    app.config.update(
        SESSION_COOKIE_NAME="igot_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    # A token lives as long as a sign-in may; sign-in and sign-out start a new session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", int(SESSION_LIFETIME.total_seconds()))
    if os.environ.get("IGOT_SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes"):
        app.config["SESSION_COOKIE_SECURE"] = True
    csrf.exempt(api)
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _form_expired)
    app.after_request(_security_headers)
