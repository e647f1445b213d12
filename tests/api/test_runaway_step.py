"""A runaway script step fails within its limit, and the server answers others meanwhile:
on the threaded development server (`igot serve`) and on gunicorn with two sync workers.

The runaway step runs under the default limit of 2 s. On SQLite a request that only
reads begins its transaction DEFERRED (engine/db.py `reading_only`), so it reads a
snapshot beside the runaway step's write transaction instead of queueing behind it; on
PostgreSQL nothing waits at all.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.serving import make_server

from engine.bootstrap import Database
from engine.config import PROJECT_ROOT, Settings
from engine.models import Incident
from engine.services.people import create_user
from tests.api.conftest import PASSWORD, Api, open_run, register, sign_in
from tests.factories import forget_scenarios

LIMIT = 2.0  # IGOT_SCRIPT_TIME_LIMIT's default
RUNAWAY = """<bpmn:script>cadre_outcome = "approved"
spins = 0
for a in range(50000 + len(officer["full_name"])):
    for b in range(50000 + len(officer["full_name"])):
        spins += 1
"""


@dataclass
class Answer:
    status: int
    body: Any
    seconds: float


def _call(base: str, method: str, path: str, token: str, body: Any = None) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}/api/v1{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return Answer(status, json.loads(raw or b"null"), time.monotonic() - started)


@dataclass
class Runaway:
    """An application waiting at cca_approval whose approval runs a script that never ends."""

    application_id: int
    task_id: str
    approver: str
    officer: str


@pytest.fixture
def staff(db: Database, client: FlaskClient) -> dict[str, Api]:
    """Only the staff this test needs (each user costs a password hash)."""
    users = {"owner": ("process_owner", None), "dopt": ("dopt", None), "cca": ("cca_approver", "DOPT-IAS")}
    with db.sessions() as session, session.begin():
        for name, (role, cca) in users.items():
            create_user(session, name, PASSWORD, [role], cca)
    return {name: sign_in(client, name) for name in users}


@pytest.fixture
def runaway(
    client: FlaskClient, staff: dict[str, Api], settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> Runaway:
    monkeypatch.setenv("IGOT_SCRIPT_TIME_LIMIT", str(LIMIT))
    forget_scenarios(db)  # the approval scenarios would refuse this diagram; the test is about run time
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    looping = xml.replace('<bpmn:script>cadre_outcome = "approved"\n', RUNAWAY, 1)
    assert looping != xml
    headers = {"Authorization": f"Bearer {staff['owner'].token}", "Content-Type": "application/xml"}
    assert client.post("/api/v1/process-definitions", data=looping.encode(), headers=headers).status_code == 201
    officer = register(client)
    run = open_run(staff["dopt"])
    application_id = officer.post("/applications", {"course_run_id": run["id"], "declaration": True}).json["id"]
    task_id = staff["cca"].task(application_id, "cca_approval")
    return Runaway(application_id, task_id, str(staff["cca"].token), str(officer.token))


def _approve_while_others_ask(base: str, runaway: Runaway, db: Database) -> None:
    outcome: dict[str, Answer] = {}

    def approve() -> None:
        body = {"data": {"decision": "approve"}}
        outcome["approval"] = _call(base, "POST", f"/tasks/{runaway.task_id}/complete", runaway.approver, body)

    approval = threading.Thread(target=approve)
    approval.start()
    time.sleep(0.15)
    assert approval.is_alive()
    courses = _call(base, "GET", "/courses", runaway.officer)
    approval.join(timeout=30)

    answer = outcome["approval"]
    assert courses.status == 200 and courses.seconds < 1, (courses, answer)
    assert answer.seconds < LIMIT + 1, answer
    assert answer.status == 422 and answer.body["error"]["code"] == "step_failed", answer
    after = _call(base, "GET", f"/applications/{runaway.application_id}", runaway.officer)
    assert after.status == 200 and after.body["status"] == "awaiting_cadre_approval"
    with db.sessions() as session:
        messages = list(
            session.scalars(select(Incident.message).where(Incident.application_id == runaway.application_id))
        )
    assert len(messages) == 1 and "longer than its limit" in messages[0]


@pytest.fixture
def development_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_development_server_answers_during_a_runaway_step(
    development_server: str, runaway: Runaway, db: Database
) -> None:
    _approve_while_others_ask(development_server, runaway, db)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _worker_count(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return len(children.read().split())
    except OSError:
        return 0


def _warm_up(base: str, token: str) -> None:
    # Concurrent requests reach both workers, so neither answers its first request in the test.
    callers = [threading.Thread(target=_call, args=(base, "GET", "/courses", token)) for _ in range(6)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=30)


@pytest.fixture
def gunicorn_server(settings: Settings, runaway: Runaway) -> Iterator[str]:
    port = _free_port()
    environment = {
        **os.environ,
        "IGOT_DATABASE_URL": settings.database_url,
        "IGOT_INSTANCE_PATH": str(settings.instance_path),
        "IGOT_SCRIPT_TIME_LIMIT": str(LIMIT),
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--preload", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "webapp:create_app()"], cwd=PROJECT_ROOT, env=environment, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _call(base, "GET", "/courses", runaway.officer).status == 200 and _worker_count(server.pid) == 2:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        _warm_up(base, runaway.officer)
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)


def test_gunicorn_with_two_workers_answers_during_a_runaway_step(
    gunicorn_server: str, runaway: Runaway, db: Database
) -> None:
    _approve_while_others_ask(gunicorn_server, runaway, db)
