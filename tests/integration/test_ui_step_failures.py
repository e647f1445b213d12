"""On the pages, a step the process cannot take shows a plain page, never an error 500."""

from __future__ import annotations

import html

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Application, HumanTask, Incident, User
from engine.services.applications import submit_application
from engine.services.repair import suspend_application
from tests.engine.broken_processes import STUCK_CCA, add_stuck_cca, deploy_text, failing_for_stuck_cca, shipped
from tests.factories import NOW, make_officer, make_run, make_staff
from tests.integration.ui import csrf_token, sign_in


@pytest.fixture
def run_id(db: Database) -> int:
    with db.sessions() as session, session.begin():
        add_stuck_cca(session)
        make_staff(session, "cca_approver", STUCK_CCA, username="cca.hp")
        make_staff(session, "dopt", username="dopt")
        return int(make_run(session).id)


def _officer(db: Database) -> str:
    with db.sessions() as session, session.begin():
        return make_officer(session, cca=STUCK_CCA).username


def _apply(db: Database, username: str, run_id: int) -> int:
    with db.sessions() as session, session.begin():
        user = session.scalars(select(User).where(User.username == username)).one()
        return submit_application(session, user, run_id, True, NOW).id


def _task_id(db: Database, application_id: int) -> str:
    with db.sessions() as session:
        return session.scalars(select(HumanTask.id).where(HumanTask.application_id == application_id)).one()


def test_a_failing_step_shows_the_task_again_with_a_plain_message(
    client: FlaskClient, db: Database, settings: Settings, run_id: int
) -> None:
    with db.sessions() as session, session.begin():
        deploy_text(
            session,
            settings,
            failing_for_stuck_cca(shipped(settings, "cadre_approval"), "record_approval", "raise SystemExit"),
        )
    application_id = _apply(db, _officer(db), run_id)
    task_id = _task_id(db, application_id)
    sign_in(client, "cca.hp")

    response = client.post(
        f"/tasks/{task_id}",
        data={"csrf_token": csrf_token(client, f"/tasks/{task_id}"), "decision": "approve"},
    )

    with db.sessions() as session:
        incident = session.scalars(select(Incident)).one()
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert "The process could not take this step, so nothing was changed" in page
    assert f"DoPT's operators have been told (incident {incident.id})" in page
    assert 'value="approve" checked' in response.text


def test_an_application_whose_start_fails_is_saved_and_the_officer_told(
    client: FlaskClient, db: Database, settings: Settings, run_id: int
) -> None:
    with db.sessions() as session, session.begin():
        xml = failing_for_stuck_cca(shipped(settings, "enrollment"), "check_eligibility_task", "raise MemoryError")
        deploy_text(session, settings, xml)
    officer = _officer(db)
    sign_in(client, officer)
    path = f"/runs/{run_id}/apply"

    response = client.post(path, data={"csrf_token": csrf_token(client, path), "declaration": "true"})

    assert response.status_code == 302
    page = html.unescape(client.get(response.location).text)
    assert "Your application was saved, but it could not be processed yet" in page
    assert "Submitted: waiting to be processed" in page
    with db.sessions() as session:
        assert session.scalars(select(Application.status)).one() == "submitted"


def test_a_suspended_application_is_marked_in_the_inbox_and_on_its_task(
    client: FlaskClient, db: Database, run_id: int
) -> None:
    application_id = _apply(db, _officer(db), run_id)
    with db.sessions() as session, session.begin():
        dopt = session.scalars(select(User).where(User.username == "dopt")).one()
        suspend_application(session, dopt, application_id, "CCA under inquiry", NOW)
    sign_in(client, "cca.hp")

    assert 'class="badge badge--suspended"' in client.get("/inbox").text
    page = html.unescape(client.get(f"/tasks/{_task_id(db, application_id)}").text)
    assert "DoPT has suspended this application" in page
