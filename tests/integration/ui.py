"""Helpers for driving the web UI with Flask's test client: CSRF tokens and signing in."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PASSWORD = "secret-password"


def csrf_token(client: FlaskClient, path: str = "/sign-in", base_url: str = "http://localhost") -> str:
    """The CSRF token of the form on `path` (the session's token)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path, base_url=base_url).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, username: str) -> None:
    """Sign in through the form, as a person would."""
    data = {"csrf_token": csrf_token(client, "/sign-in"), "username": username, "password": PASSWORD}
    assert client.post("/sign-in", data=data).status_code == 302


def field_error(html: str, name: str) -> str:
    """The error shown inside the field's own block, tied to its control by aria-describedby."""
    match = re.search(rf'<p class="field-error" id="field-{name}-error">(.*?)</p>', html, re.S)
    assert match, f"no error beside {name}"
    assert re.search(rf'aria-describedby="[^"]*field-{name}-error', html), f"{name}'s error is not tied to it"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error: ", "").strip()


def post_form(client: FlaskClient, path: str, data: dict[str, object], form_page: str | None = None) -> TestResponse:
    """Post a page's form as a browser would: with the CSRF token of the page it is on."""
    return client.post(path, data={"csrf_token": csrf_token(client, form_page or path), **data})
