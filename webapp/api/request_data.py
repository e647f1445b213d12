"""Reading JSON bodies and query arguments strictly: malformed input is a 400 or 422, never a 500."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from engine.errors import Invalid
from webapp.core.boundary import INT_MAX, INT_MIN

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,19}")


class MalformedBody(Exception):
    """The body is not JSON, or not the JSON object expected (400)."""


def json_object(allowed: set[str] | None = None, required: set[str] | None = None) -> dict[str, Any]:
    """The request body as a JSON object; unknown and missing fields are 422 with their names."""
    if not request.is_json:
        raise MalformedBody("Send a JSON body with Content-Type: application/json")
    body = request.get_json(silent=True)
    if body is None:
        raise MalformedBody("The body is not valid JSON")
    if not isinstance(body, dict):
        raise MalformedBody("The body must be a JSON object")
    fields: dict[str, str] = {}
    if allowed is not None:
        fields.update({name: "unknown field" for name in sorted(set(body) - allowed)})
    if required is not None:
        fields.update({name: "This field is required" for name in sorted(required - set(body))})
    if fields:
        raise Invalid("Some fields are wrong", fields)
    return body


def optional_json_object(allowed: set[str]) -> dict[str, Any]:
    """The body as a JSON object when one is sent, else an empty one (for bodies that may be left out)."""
    if not request.get_data(cache=True):
        return {}
    return json_object(allowed=allowed)


def flag_arg(name: str) -> bool:
    """A yes/no query argument: 1/true/yes are yes, 0/false/no or absent no; 422 otherwise."""
    value = (request.args.get(name) or "").lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise Invalid(f"{name} must be 1 or 0", {name: "1 (yes) or 0 (no)"})


def int_arg(name: str) -> int | None:
    """An optional integer query argument (ASCII digits with an optional sign, within the
    database's integer columns, webapp.core.boundary.INT_MIN..INT_MAX); 422 when it is not one.

    Python's int() alone would also read "1_000" and other scripts' digits, and let a number
    too large for the column reach the query.
    """
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not _WHOLE_NUMBER.fullmatch(value):
        raise Invalid(f"{name} must be a whole number", {name: "must be a whole number"})
    number = int(value)
    if not INT_MIN <= number <= INT_MAX:
        problem = f"must be a whole number from {INT_MIN} to {INT_MAX}"
        raise Invalid(f"{name} {problem}", {name: problem})
    return number
