"""Helpers for driving the web UI with Flask's test client: CSRF tokens and signing in."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

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
