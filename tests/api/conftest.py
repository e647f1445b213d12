"""Fixtures for HTTP tests of the JSON API: an app on the test's database and a small client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Database
from engine.config import Settings
from engine.services.people import create_user
from tests.factories import officer_body as factory_officer_body
from webapp import create_app
from webapp.core.database import db as web_db

PASSWORD = "secret-password"
PDF = b"%PDF-1.4\n% a tiny test document\n"


@pytest.fixture
def app(settings: Settings, db: Database) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": settings.database_url, "INSTANCE_PATH": settings.instance_path, "TESTING": True})
    yield app
    with app.app_context():
        web_db.engine.dispose()


class Api:
    """Calls /api/v1 as one user; remembers the token."""

    def __init__(self, client: FlaskClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self._headers())

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"/api/v1{path}", json=body, headers=self._headers())

    def put(self, path: str, body: Any = None) -> Any:
        return self.client.put(f"/api/v1{path}", json=body, headers=self._headers())

    def patch(self, path: str, body: Any = None) -> Any:
        return self.client.patch(f"/api/v1{path}", json=body, headers=self._headers())

    def send(self, method: str, path: str, data: bytes, content_type: str) -> Any:
        """A raw body (BPMN XML, a form file as deployed)."""
        headers = self._headers() | {"Content-Type": content_type}
        return self.client.open(f"/api/v1{path}", method=method, data=data, headers=headers)

    def upload(self, content: bytes = PDF, name: str = "certificate.pdf") -> str:
        import io

        response = self.client.post(
            "/api/v1/uploads", data={"file": (io.BytesIO(content), name)}, headers=self._headers()
        )
        assert response.status_code == 201, response.json
        return str(response.json["id"])

    def task(self, application_id: int, name: str) -> str:
        tasks = self.get(f"/tasks?application_id={application_id}").json
        matching = [task["id"] for task in tasks if task["name"] == name]
        assert len(matching) == 1, tasks
        return matching[0]

    def complete(self, application_id: int, name: str, data: dict[str, Any]) -> Any:
        return self.post(f"/tasks/{self.task(application_id, name)}/complete", {"data": data})


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Api:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return Api(client, response.json["token"])


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def staff(db: Database, client: FlaskClient) -> dict[str, Api]:
    """One signed-in user of every staff role (CCA approver of DOPT-IAS and of KA-DPAR)."""
    users = {
        "admin": (["admin"], None),
        "owner": (["process_owner"], None),
        "dopt": (["dopt"], None),
        "course_team": (["course_team"], None),
        "finance": (["finance"], None),
        "cca": (["cca_approver"], "DOPT-IAS"),
        "other_cca": (["cca_approver"], "KA-DPAR"),
    }
    with db.sessions() as session, session.begin():
        for name, (roles, cca) in users.items():
            create_user(session, name, PASSWORD, roles, cca)
    return {name: sign_in(client, name) for name in users}


_officers = {"n": 0}


def officer_body(**overrides: Any) -> dict[str, Any]:
    _officers["n"] += 1
    return factory_officer_body(f"officer{_officers['n']}", **overrides)


def register(client: FlaskClient, **overrides: Any) -> Api:
    body = officer_body(**overrides)
    response = client.post("/api/v1/officers", json=body)
    assert response.status_code == 201, response.json
    return sign_in(client, body["username"])


def open_run(dopt: Api, course: str = "CGP", **overrides: Any) -> dict[str, Any]:
    today = date.today()
    body = {
        "course": course,
        "starts_on": (today + timedelta(days=30)).isoformat(),
        "registration_closes_on": (today + timedelta(days=20)).isoformat(),
        "ends_on": (today + timedelta(days=120)).isoformat(),
    }
    body.update(overrides)
    response = dopt.post("/course-runs", body)
    assert response.status_code == 201, response.json
    return dict(response.json)
