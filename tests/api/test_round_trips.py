"""How many SQL statements one completion and one inbox page send: a change that adds round
trips to the request path fails here (the ceilings are today's counts)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from tests.api.conftest import Api, open_run, register
from tests.integration.ui import sign_in as sign_in_ui
from webapp.core.database import db as web_db

# Ceilings: the statements one request sends (SQLite's BEGIN IMMEDIATE is one of them;
# PostgreSQL's BEGIN goes with the first statement).
COMPLETION = {"sqlite": 25, "postgresql": 24}
INBOX_API = {"sqlite": 3, "postgresql": 2}
INBOX_HTML = {"sqlite": 9, "postgresql": 8}


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the application sends while the block runs."""
    statements: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = web_db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _applications(client: FlaskClient, run: dict[str, Any], count: int) -> list[int]:
    ids = []
    for _ in range(count):
        officer = register(client)
        response = officer.post("/applications", {"course_run_id": run["id"], "declaration": True})
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
    return ids


def test_one_completion_sends_a_bounded_number_of_statements(
    app: Flask, client: FlaskClient, staff: dict[str, Api], backend: str
) -> None:
    run = open_run(staff["dopt"])
    first, second = _applications(client, run, 2)
    counts = []
    for application_id in (first, second):
        task_id = staff["cca"].task(application_id, "cca_approval")
        with counted(app) as statements:
            response = staff["cca"].post(f"/tasks/{task_id}/complete", {"data": {"decision": "approve"}})
        assert response.status_code == 200, response.json
        assert response.json["application"]["status"] == "awaiting_dopt_confirmation"
        counts.append(len(statements))

    # The first step of a process parses its definitions once; the next ones are the figure.
    assert counts[1] <= COMPLETION[backend], "\n".join(statements)


def test_an_inbox_page_sends_the_same_few_statements_for_one_row_or_many(
    app: Flask, client: FlaskClient, staff: dict[str, Api], backend: str
) -> None:
    run = open_run(staff["dopt"])
    _applications(client, run, 1)
    with counted(app) as one:
        assert len(staff["cca"].get("/tasks").json) == 1
    _applications(client, run, 3)
    with counted(app) as many:
        assert len(staff["cca"].get("/tasks").json) == 4
    assert len(one) == len(many), "\n".join(many)
    assert len(many) <= INBOX_API[backend], "\n".join(many)

    sign_in_ui(client, "cca")
    client.get("/inbox")  # the first page of a session may set up what later pages reuse
    with counted(app) as html:
        page = client.get("/inbox")
    assert page.status_code == 200
    assert page.text.count('href="/tasks/') >= 4  # the four open tasks are listed
    assert len(html) <= INBOX_HTML[backend], "\n".join(html)
