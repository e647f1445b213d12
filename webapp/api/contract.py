"""Types checked before use: each API request's JSON body and query arguments against the
operation the OpenAPI document (webapp/api/openapi.py) describes, before the view runs.

Only the shapes are checked here (a list or object where a text or number is expected, a
query argument that is not a whole number, or is one beyond the database's integer range);
the views and the engine's services still judge the values and name every other problem.
Called by the input boundary (webapp/core/boundary.py) for every request under /api/v1.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from flask import request
from jsonschema import Draft202012Validator

from engine.errors import Invalid
from webapp.api.openapi import DOCUMENT

PREFIX = "/api/v1"
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
_PLACEHOLDER = re.compile(r"\{[^}]+\}")
_RULE_PART = re.compile(r"<(?:[^:>]+:)?[^>]+>")
# Read by webapp.core.paging, which names them with its own words.
PAGING = ("page", "per_page")
TYPE_WORDS = {
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


@cache
def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    """The document's operations by (method, path template with `{}` for each parameter)."""
    found = {}
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                found[(method.upper(), _PLACEHOLDER.sub("{}", path))] = operation
    return found


@cache
def _body_validator(method: str, template: str) -> Draft202012Validator | None:
    operation = _operations().get((method, template))
    content = (operation or {}).get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    return Draft202012Validator({**schema, "components": DOCUMENT.get("components", {})})


def _operation() -> tuple[str, str] | None:
    rule = request.url_rule
    if rule is None or not rule.rule.startswith(PREFIX):
        return None
    template = _RULE_PART.sub("{}", rule.rule.removeprefix(PREFIX))
    method = "GET" if request.method == "HEAD" else request.method
    return (method, template) if (method, template) in _operations() else None


def _expected(schema: Any) -> str:
    types = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(types, str):
        types = [types]
    if not types and isinstance(schema, dict) and "enum" in schema:
        types = sorted({_json_type(value) for value in schema["enum"]})
    words = [TYPE_WORDS.get(name, name) for name in types or []]
    return "must be " + " or ".join(words) if words else "has the wrong type"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "null" if value is None else "object"


def _field(path: Any) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def check_types(body: Any) -> None:
    """Invalid (422, naming each field) when the query arguments or the parsed JSON `body`
    (None when there is none) have a shape the operation's document does not allow."""
    operation_key = _operation()
    if operation_key is None:
        return
    fields = _query_problems(_operations()[operation_key])
    validator = _body_validator(*operation_key)
    if validator is not None and isinstance(body, dict):
        errors = list(validator.iter_errors(body))
        for error in errors:
            wrong_shape = error.validator == "type" or (
                error.validator == "enum" and isinstance(error.instance, dict | list)
            )
            if wrong_shape:
                fields.setdefault(_field(error.absolute_path), _expected(error.schema))
        if fields:  # one answer names every field: the fixed values wrong too
            for error in errors:
                if error.validator in ("const", "enum"):
                    allowed = [error.validator_value] if error.validator == "const" else error.validator_value
                    words = " or ".join(json.dumps(value) for value in allowed)
                    fields.setdefault(_field(error.absolute_path), f"must be {words}")
    if fields:
        raise Invalid("Some fields have the wrong type", fields)


def _query_problems(operation: dict[str, Any]) -> dict[str, str]:
    """Integer query arguments that are whole numbers the database cannot hold."""
    fields = {}
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") != "query" or schema.get("type") != "integer" or parameter["name"] in PAGING:
            continue
        for value in request.args.getlist(parameter["name"]):
            if value == "":
                continue
            text = value.strip()
            # Other texts are the view's to name, with its own words.
            whole = re.fullmatch(r"[+-]?[0-9]+", text)
            if whole and (len(text) > 12 or not INT_MIN <= int(text) <= INT_MAX):
                fields[parameter["name"]] = f"must be a whole number from {INT_MIN} to {INT_MAX}"
    return fields
