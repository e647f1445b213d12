"""One handler per exception class; JSON for the API, a page for people."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from jinja2 import TemplateNotFound
from werkzeug.exceptions import HTTPException

from engine.errors import (
    Conflict,
    DeployRefused,
    EngineError,
    Forbidden,
    Invalid,
    NotFound,
    StepFailed,
    TooLarge,
    Unauthorized,
)
from engine.forms import FormNotFound
from engine.i18n import N_
from webapp.api.request_data import MalformedBody
from webapp.core.boundary import MalformedRequest, request_id
from webapp.core.database import session
from webapp.core.failures import STEP_FAILED_HEADING, record_step_failure, step_failed_message
from webapp.core.throttle import Throttled, current_wait, refusal

log = logging.getLogger(__name__)

STATUS: dict[type[EngineError], int] = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    Invalid: 422,
    DeployRefused: 422,
    StepFailed: 422,
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


# What a page says for the HTTP errors Flask raises itself (its own texts are English only).
PAGE_MESSAGES: dict[int, str] = {
    400: N_("The request could not be understood."),
    404: N_("There is no page at this address."),
    405: N_("This page cannot be used that way."),
    413: N_("What was sent is larger than this site accepts."),
}


def error_response(status: int, code: str, message: str, heading: str | None = None, **extra: Any) -> Any:
    """The API's error envelope, or the error page (`heading` overrides the page's usual one)."""
    session().rollback()
    if _wants_json():
        body = {"error": {"code": code, "message": message, **extra}}
        response = jsonify(body)
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="igot"'
        return response
    try:
        page = render_template(
            "error.html", status=status, message=message, fields=extra.get("fields"), heading=heading
        )
        return page, status
    except TemplateNotFound:
        return f"{status}: {message}", status, {"Content-Type": "text/plain; charset=utf-8"}


def too_many_requests(retry_after: int) -> Any:
    """429 with Retry-After (seconds) and a message saying when to try again (envelope or page)."""
    said = refusal(retry_after, translate=not _wants_json())
    response = make_response(error_response(429, "too_many_requests", said.message, retry_after=retry_after))
    response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(EngineError)
    def _engine_error(error: EngineError) -> Any:
        status = next((code for cls, code in STATUS.items() if isinstance(error, cls)), 400)
        extra: dict[str, Any] = {}
        if isinstance(error, Invalid):
            extra["fields"] = error.fields
        if isinstance(error, DeployRefused):
            extra["details"] = error.details
        if isinstance(error, StepFailed):
            incident_id = record_step_failure(error)
            message = step_failed_message(incident_id)
            heading = STEP_FAILED_HEADING if _wants_json() else _(STEP_FAILED_HEADING)
            return error_response(422, error.code, message, heading=heading, incident_id=incident_id)
        message = error.message if _wants_json() else _(error.message)
        return error_response(status, error.code, message, **extra)

    @app.errorhandler(MalformedBody)
    def _malformed(error: MalformedBody) -> Any:
        return error_response(400, "bad_request", str(error))

    @app.errorhandler(MalformedRequest)
    def _malformed_request(error: MalformedRequest) -> Any:
        extra: dict[str, Any] = {"fields": error.fields} if error.fields else {}
        return error_response(400, "bad_request", error.message if _wants_json() else _(PAGE_MESSAGES[400]), **extra)

    @app.errorhandler(FormNotFound)
    def _form_missing(error: FormNotFound) -> Any:
        log.error("form missing: %s", error)
        return error_response(500, "form_missing", _("The form of this task is missing; operators have been told."))

    @app.errorhandler(Throttled)
    def _throttled(error: Throttled) -> Any:
        return too_many_requests(error.retry_after)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(_error: RateLimitExceeded) -> Any:
        return too_many_requests(current_wait())

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        status = error.code or 500
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        message = error.description or error.name
        if not _wants_json() and status in PAGE_MESSAGES:
            message = _(PAGE_MESSAGES[status])
        return error_response(status, codes.get(status, "http_error"), message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        return unexpected_error(error)


def unexpected_error(error: BaseException) -> Any:
    """Log an error no handler expected, with its request id, and answer 500 (the envelope for
    the API, the error page for pages), the request id in the answer for the person to quote."""
    number = request_id()
    log.error(
        "unexpected error, request %s: %s %s",
        number,
        request.method,
        request.path,
        exc_info=(type(error), error, error.__traceback__),
    )
    if _wants_json():
        message = "Something went wrong on our side; nothing was changed."
    else:
        message = _(
            "Something went wrong on our side; nothing was changed. If you tell DoPT, quote %(number)s.",
            number=number,
        )
    return error_response(500, "internal_error", message, request_id=number)


class IgotFlask(Flask):
    """Flask, with every exception a view raises answered: Flask itself answers only `Exception`
    subclasses and lets other BaseExceptions (GeneratorExit, a library's own) drop the
    connection. Those become a logged 500 too; KeyboardInterrupt and SystemExit still stop
    the server, as they are meant to."""

    def full_dispatch_request(self) -> Any:
        """Flask's dispatch; a BaseException that is not an Exception is answered as a 500."""
        try:
            return super().full_dispatch_request()
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception:
            raise
        except BaseException as error:
            return self.finalize_request(unexpected_error(error))


def log_to_gunicorn(loggers: tuple[str, ...] = ("webapp", "engine")) -> None:
    """Under gunicorn, send the application's log records (unexpected errors with their request
    id) to gunicorn's error log: the handlers and level of the `gunicorn.error` logger, which
    `--error-logfile` and `--log-level` configure. Elsewhere the records go where Python's
    logging sends them (stderr)."""
    errors = logging.getLogger("gunicorn.error")
    if not errors.handlers:
        return
    for name in loggers:
        logger = logging.getLogger(name)
        logger.handlers = list(errors.handlers)
        logger.setLevel(errors.level)
        logger.propagate = False
