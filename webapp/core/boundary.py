"""The one input boundary: every request passes it before any view, API or page, runs.

What it refuses, and how (docs/API.md, "Input the server refuses"):

- a NUL character or a lone surrogate (U+D800-U+DFFF) in the path or in a header: 400;
  in a query argument: 400 naming the argument;
- the same in a form field, an uploaded file's name or any text (key or value) of a JSON
  body: 422 naming the field (`data.remarks`, `codes[2]`);
- a JSON body that is not JSON, or nested deeper than `MAX_JSON_DEPTH`: 400 (a body of
  100,000 `[` is refused without recursing);
- a whole number in a JSON body outside the range of the database's integer columns
  (`INT_MIN`..`INT_MAX`, PostgreSQL's `integer`): 422 naming the field;
- a whole number in the path beyond that range: 404 (no row can have that id), through the
  `int` URL converter registered here.

Each request gets a request id (`X-Request-Id`: the client's when it is a short token, else a
new one), sent back on every answer, written in every log line of an unexpected error and shown
in the 500 answer, so an operator finds the error a person reports.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from engine.errors import Invalid
from engine.i18n import N_

# PostgreSQL's `integer`, the type of every id and version column (SQLite's is wider).
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
# Deeper than any body the API takes (task data, form schemas); far below Python's recursion limit.
MAX_JSON_DEPTH = 64
REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


class MalformedRequest(Exception):
    """The request cannot be read at all (400): a bad path, header or query argument, or a body
    that is not JSON; `fields` names the query arguments at fault."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class BoundedInt(IntegerConverter):
    """`<int:...>` in a route: a whole number the database's integer columns can hold, else no
    route matches (404), so no query is ever made with an id the database cannot store. Only
    ASCII digits: werkzeug's `\\d+` would also take other scripts' digits ("１"), which Python's
    int() reads, giving one object a second address."""

    regex = r"[0-9]+"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, parsing with a depth limit: too deep or recursing is a ValueError, which
    Flask's `get_json` turns into a 400 like any other JSON that cannot be read."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse `s`; ValueError when it is not JSON or nests deeper than MAX_JSON_DEPTH."""
        try:
            value = json.loads(s, **kwargs)
        except RecursionError as error:
            raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from error
        if nesting(value) > MAX_JSON_DEPTH:
            raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return value


class TooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH."""


def nesting(value: Any) -> int:
    """How deep lists and objects nest in a parsed JSON value (0 for a scalar); iterative, so
    any depth the parser could build is measured without recursing."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            stack.extend((inner, depth + 1) for inner in item if isinstance(inner, dict | list))
    return deepest


def request_id() -> str | None:
    """The current request's id, or None outside a request."""
    if not has_request_context():
        return None
    number: str | None = g.get("request_id")
    return number


def _texts(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every key, text and number in a parsed JSON body, with the field path it sits at."""
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                inner_path = f"{path}.{key}" if path else str(key)
                yield inner_path, str(key)
                stack.append((inner_path, inner))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", inner) for index, inner in enumerate(item))
        else:
            yield path or "body", item


def _text_problem(text: str | None) -> str | None:
    found = _FORBIDDEN.search(text or "")
    if found is None:
        return None
    return "must not contain a NUL character" if found.group() == "\x00" else "must not contain a lone surrogate"


def _check_json_body() -> Any:
    """The parsed JSON body (None when there is none or it is not JSON: the view says so)."""
    if not request.is_json or not request.get_data(cache=True):
        return None
    try:
        body = current_app.json.loads(request.get_data(cache=True))
    except TooDeep as error:
        raise MalformedRequest(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels") from error
    except ValueError:
        return None
    fields: dict[str, str] = {}
    for path, item in _texts(body, ""):
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                fields.setdefault(path, problem)
        elif isinstance(item, int) and not isinstance(item, bool) and not INT_MIN <= item <= INT_MAX:
            fields.setdefault(path, f"must be a whole number from {INT_MIN} to {INT_MAX}")
    if fields:
        raise Invalid(N_("Some fields hold what the server cannot take"), fields)
    return body


def _check_request() -> None:
    """The boundary itself: raises MalformedRequest (400) or Invalid (422) for refused input."""
    if _text_problem(request.path):
        raise MalformedRequest("The address contains a character that is not allowed")
    for name, value in request.headers.items():
        if _text_problem(value):
            raise MalformedRequest(f"The header {name} contains a character that is not allowed")
    queries = {
        key: problem
        for key, value in request.args.items(multi=True)
        if (problem := _text_problem(key) or _text_problem(value))
    }
    if queries:
        raise MalformedRequest("A query argument contains a character that is not allowed", queries)
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields = {
            key: problem
            for key, value in request.form.items(multi=True)
            if (problem := _text_problem(key) or _text_problem(value))
        }
        fields |= {
            key: problem
            for key, upload in request.files.items(multi=True)
            if (problem := _text_problem(key) or _text_problem(upload.filename or ""))
        }
        if fields:
            raise Invalid(N_("Some fields hold characters that are not allowed"), fields)
    body = _check_json_body()
    if request.path.startswith("/api/"):
        from webapp.api.contract import check_types

        check_types(body)


def _start() -> None:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    _check_request()


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id() or ""
    if request.path.startswith("/api/") or _signed_in():
        response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    """Whether the answer is a page for a signed-in person (never kept in a shared cache)."""
    if request.path.startswith("/static/"):
        return False
    user = g.get("ui_user")
    if user is not None:
        return True
    from flask import session as cookie

    from webapp.ui.identity import USER_KEY

    return USER_KEY in cookie


def init_app(app: Flask) -> None:
    """Install the boundary: before every other before-request function (so before CSRF checks
    and sign-in look-ups), the bounded `int` converter (before any route is added), the JSON
    provider with its depth limit, and the answer's request id and Cache-Control."""
    app.url_map.converters["int"] = BoundedInt
    app.json = BoundedJSONProvider(app)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
