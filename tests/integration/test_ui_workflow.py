"""The web UI over the processes: who sees what, the inbox, and forms from JSON Schema."""

from __future__ import annotations

import dataclasses
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Application, Coupon, HumanTask, User
from engine.services.applications import submit_application
from engine.services.tasks import complete_task
from engine.services.timers import fire_due_timers
from tests.factories import NOW, make_officer, make_run, make_staff
from tests.integration.ui import csrf_token, field_error, sign_in

PDF = b"%PDF-1.4\n% a tiny certificate\n"
RUN_HAS_ENDED = datetime.fromisoformat("2027-06-16T00:00:01+05:30")


@dataclass
class World:
    """Staff of every role, a run open for applications, and helpers that drive the services."""

    db: Database
    settings: Settings
    run_id: int

    def officer(self, **overrides: str) -> str:
        with self.db.sessions() as session, session.begin():
            return make_officer(session, **overrides).username

    def apply(self, username: str) -> int:
        with self.db.sessions() as session, session.begin():
            return submit_application(session, self.user(session, username), self.run_id, True, NOW).id

    def complete(self, username: str, application_id: int, name: str, data: dict[str, object]) -> None:
        with self.db.sessions() as session, session.begin():
            task_id = self.task_id(application_id, name)
            complete_task(session, self.user(session, username), task_id, data, self.settings.forms_dir, NOW)

    def task_id(self, application_id: int, name: str) -> str:
        with self.db.sessions() as session:
            query = select(HumanTask.id).where(
                HumanTask.application_id == application_id, HumanTask.name == name, HumanTask.state == "open"
            )
            return str(session.scalars(query).one())

    def status(self, application_id: int) -> str:
        with self.db.sessions() as session:
            return str(session.get_one(Application, application_id).status)

    def add_coupon(self, code: str) -> None:
        with self.db.sessions() as session, session.begin():
            session.add(Coupon(code=code, course_run_id=self.run_id, added_by="courseteam"))

    def enrolled(self, username: str) -> int:
        """An application approved, confirmed and given a coupon."""
        self.add_coupon(f"CODE-{username}")
        application_id = self.apply(username)
        self.complete("cca.ias", application_id, "cca_approval", {"decision": "approve"})
        self.complete("dopt", application_id, "dopt_confirmation", {"decision": "confirm"})
        return application_id

    @staticmethod
    def user(session: Session, username: str) -> User:
        return session.scalars(select(User).where(User.username == username)).one()


@pytest.fixture
def world(db: Database, settings: Settings) -> World:
    with db.sessions() as session, session.begin():
        make_staff(session, "cca_approver", "DOPT-IAS", username="cca.ias")
        make_staff(session, "cca_approver", "KA-DPAR", username="cca.karnataka")
        make_staff(session, "dopt", username="dopt")
        make_staff(session, "course_team", username="courseteam")
        run_id = make_run(session).id
    return World(db, settings, run_id)


def submit(client: FlaskClient, task_id: str, data: dict[str, object]) -> TestResponse:
    token = csrf_token(client, f"/tasks/{task_id}")
    return client.post(f"/tasks/{task_id}", data={"csrf_token": token, **data})


def test_officer_cannot_open_another_officers_application(client: FlaskClient, world: World) -> None:
    application_id = world.apply(world.officer())
    sign_in(client, world.officer())

    assert client.get(f"/applications/{application_id}").status_code == 404


def test_officer_sees_their_application_with_one_status_and_its_history(client: FlaskClient, world: World) -> None:
    officer = world.officer()
    application_id = world.apply(officer)
    sign_in(client, officer)

    page = client.get(f"/applications/{application_id}").text

    assert re.search(r'class="status-panel__label">Waiting for the cadre controlling authority', page)
    assert f"<strong>{officer}</strong> submitted the application: eligible" in page


def test_cca_approver_of_the_officers_cca_sees_the_task(client: FlaskClient, world: World) -> None:
    application_id = world.apply(world.officer(full_name="Vikram Singh"))
    sign_in(client, "cca.ias")

    inbox = client.get("/inbox").text

    assert f'href="/tasks/{world.task_id(application_id, "cca_approval")}"' in inbox
    assert "Vikram Singh" in inbox


def test_cca_approver_of_another_cca_does_not_see_the_task(client: FlaskClient, world: World) -> None:
    application_id = world.apply(world.officer(full_name="Vikram Singh"))
    task_id = world.task_id(application_id, "cca_approval")
    sign_in(client, "cca.karnataka")

    assert "Vikram Singh" not in client.get("/inbox").text
    assert client.get(f"/tasks/{task_id}").status_code == 404


def test_inbox_search_by_officer_name_keeps_only_that_officer(client: FlaskClient, world: World) -> None:
    world.apply(world.officer(full_name="Vikram Singh"))
    world.apply(world.officer(full_name="Asha Rao"))
    sign_in(client, "cca.ias")

    page = client.get("/inbox?q=asha").text

    assert "Asha Rao" in page
    assert "Vikram Singh" not in page


def test_task_past_its_due_time_is_marked_overdue(app: Flask, client: FlaskClient, world: World) -> None:
    world.apply(world.officer())
    app.config["IGOT_NOW"] = NOW + timedelta(days=8)  # the CCA's task is due after 7 days
    sign_in(client, "cca.ias")

    assert 'class="badge badge--overdue"' in client.get("/inbox").text


def test_task_page_shows_profile_eligibility_and_history_beside_the_form(client: FlaskClient, world: World) -> None:
    application_id = world.apply(world.officer(full_name="Vikram Singh"))
    sign_in(client, "cca.ias")

    page = client.get(f"/tasks/{world.task_id(application_id, 'cca_approval')}").text

    assert "Vikram Singh" in page and "Indian Administrative Service" in page
    assert '<p class="verdict verdict--yes">' in page
    assert 'id="history-title"' in page
    assert '<button type="submit" class="button">Submit</button>' in page


def test_approving_from_the_task_page_moves_the_application_on(client: FlaskClient, world: World) -> None:
    application_id = world.apply(world.officer())
    sign_in(client, "cca.ias")

    response = submit(client, world.task_id(application_id, "cca_approval"), {"decision": "approve"})

    assert response.status_code == 302
    assert world.status(application_id) == "awaiting_dopt_confirmation"


def test_rejecting_without_remarks_shows_the_error_and_keeps_the_decision(client: FlaskClient, world: World) -> None:
    application_id = world.apply(world.officer())
    sign_in(client, "cca.ias")

    response = submit(client, world.task_id(application_id, "cca_approval"), {"decision": "reject"})

    assert response.status_code == 422
    assert field_error(response.text, "remarks").startswith("Give your remarks")
    assert re.search(r'value="reject" checked', response.text)
    assert world.status(application_id) == "awaiting_cadre_approval"


def test_form_error_shows_beside_the_field_and_keeps_the_entered_text(client: FlaskClient, world: World) -> None:
    application_id = world.apply(world.officer())  # no coupon in the pool: the course team issues one
    world.complete("cca.ias", application_id, "cca_approval", {"decision": "approve"})
    world.complete("dopt", application_id, "dopt_confirmation", {"decision": "confirm"})
    sign_in(client, "courseteam")

    response = submit(client, world.task_id(application_id, "issue_coupon"), {"coupon_code": "not a code!"})

    assert response.status_code == 422
    assert field_error(response.text, "coupon_code") == "Use 4 to 64 letters, digits or hyphens"
    assert 'value="not a code!"' in response.text


def test_officer_sees_the_coupon_code_once_issued(client: FlaskClient, world: World) -> None:
    officer = world.officer()
    application_id = world.enrolled(officer)
    sign_in(client, officer)

    page = client.get(f"/applications/{application_id}").text

    assert f"<code>CODE-{officer}</code>" in page


def at_report_result(app: Flask, client: FlaskClient, world: World) -> tuple[int, str]:
    """An enrolled officer, signed in after the run ended: (application id, report_result task id)."""
    officer = world.officer()
    application_id = world.enrolled(officer)
    fire_due_timers(world.db.sessions, RUN_HAS_ENDED)
    app.config["IGOT_NOW"] = RUN_HAS_ENDED
    sign_in(client, officer)
    return application_id, world.task_id(application_id, "report_result")


def post_result_with_file(client: FlaskClient, task_id: str, content: bytes) -> TestResponse:
    return client.post(
        f"/tasks/{task_id}",
        data={
            "csrf_token": csrf_token(client, f"/tasks/{task_id}"),
            "final_grade": "81",
            "proctored_exam": "passed",
            "certificate_upload": (io.BytesIO(content), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )


def test_grade_posted_as_text_is_read_as_a_number(app: Flask, client: FlaskClient, world: World) -> None:
    application_id, task_id = at_report_result(app, client, world)

    response = submit(client, task_id, {"final_grade": "42.5", "proctored_exam": "failed"})

    assert response.status_code == 302
    assert world.task_id(application_id, "confirm_result")


def test_certificate_chosen_in_the_form_is_stored_and_used(app: Flask, client: FlaskClient, world: World) -> None:
    application_id, task_id = at_report_result(app, client, world)

    response = post_result_with_file(client, task_id, PDF)

    assert response.status_code == 302
    assert world.status(application_id) == "awaiting_claim"


def test_file_of_the_wrong_type_is_refused_beside_its_field(app: Flask, client: FlaskClient, world: World) -> None:
    application_id, task_id = at_report_result(app, client, world)

    response = post_result_with_file(client, task_id, b"MZ not a document")

    assert response.status_code == 422
    assert field_error(response.text, "certificate_upload") == "Upload a PDF, PNG or JPEG file"
    assert 'value="81"' in response.text
    assert world.status(application_id) == "awaiting_result"


def test_files_over_the_quota_or_too_fast_are_refused_beside_their_field_in_hindi(
    app: Flask, client: FlaskClient, world: World
) -> None:
    application_id, task_id = at_report_result(app, client, world)
    client.post("/language/hi", data={"csrf_token": csrf_token(client, f"/tasks/{task_id}")})
    app.config["IGOT_UPLOAD_RATE_LIMIT"] = "2 per minute"
    app.config["IGOT_SETTINGS"] = dataclasses.replace(app.config["IGOT_SETTINGS"], upload_quota_files=0)
    over_quota = post_result_with_file(client, task_id, PDF)
    app.config["IGOT_SETTINGS"] = dataclasses.replace(app.config["IGOT_SETTINGS"], upload_quota_files=100)
    assert post_result_with_file(client, task_id, b"MZ not a document").status_code == 422  # counted too
    too_fast = post_result_with_file(client, task_id, PDF)

    assert over_quota.status_code == too_fast.status_code == 422
    assert "आप अपलोड की गई फ़ाइलों की सीमा तक पहुँच गए हैं।" in field_error(over_quota.text, "certificate_upload")
    assert "कम समय में बहुत अधिक फ़ाइलें भेजी गईं।" in field_error(too_fast.text, "certificate_upload")
    assert 'value="81"' in too_fast.text
    assert world.status(application_id) == "awaiting_result"


def test_withdraw_asks_for_confirmation_before_doing_anything(client: FlaskClient, world: World) -> None:
    officer = world.officer()
    application_id = world.apply(officer)
    sign_in(client, officer)

    page = client.get(f"/applications/{application_id}/withdraw").text

    assert "Yes, withdraw the application" in page
    assert world.status(application_id) == "awaiting_cadre_approval"


def test_confirmed_withdrawal_withdraws_the_application(client: FlaskClient, world: World) -> None:
    officer = world.officer()
    application_id = world.apply(officer)
    sign_in(client, officer)
    path = f"/applications/{application_id}/withdraw"

    client.post(path, data={"csrf_token": csrf_token(client, path)})

    assert world.status(application_id) == "withdrawn"


def test_ineligible_officer_sees_every_failing_reason_at_once(client: FlaskClient, world: World) -> None:
    officer = world.officer(service="OTHER", date_of_joining="2026-06-01")
    sign_in(client, officer)
    path = f"/runs/{world.run_id}/apply"

    response = client.post(path, data={"csrf_token": csrf_token(client, path), "declaration": "true"})
    page = client.get(response.location).text

    assert '<p class="verdict verdict--no">' in page
    assert page.count('class="check check--fail"') == 2
