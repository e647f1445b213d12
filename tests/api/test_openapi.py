"""The served OpenAPI document lists exactly the API's routes and methods."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient


def _routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods or set():
            if method not in ("HEAD", "OPTIONS"):
                routes.add((method.lower(), path))
    return routes


def _documented(document: dict) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_openapi_document_matches_the_routes(app: Flask, client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.1")
    routes = _routes(app)
    # Path parameter names differ between Flask (<int:application_id>) and the document ({id}).
    normalise = lambda pairs: {(m, re.sub(r"\{[a-z_]+\}", "{}", p)) for m, p in pairs}  # noqa: E731
    assert normalise(_documented(document)) == normalise(routes)


def test_every_documented_operation_says_what_success_is(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert any(code.startswith("2") for code in operation["responses"]), (method, path)
