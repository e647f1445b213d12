"""The operator's console without a browser: the monitor's filters and pages, the repairs with
their reasons and confirmations, and what the officer and the staff are told of an incident."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.bootstrap import Database
from engine.config import Settings
from engine.errors import StepFailed
from engine.incidents import record_incident
from engine.models import Application, HumanTask, User
from engine.services.applications import submit_application
from engine.services.tasks import complete_task
from tests.engine.broken_processes import STUCK_CCA, add_stuck_cca, deploy_text, failing_for_stuck_cca, shipped
from tests.factories import NOW, make_officer, make_run, make_staff
from tests.integration.ui import csrf_token, sign_in


@pytest.fixture
def run_id(db: Database) -> int:
    with db.sessions() as session, session.begin():
        add_stuck_cca(session)
        make_staff(session, "cca_approver", STUCK_CCA, username="cca.hp")
        make_staff(session, "dopt", username="dopt")
        make_staff(session, "process_owner", username="owner")
        return int(make_run(session).id)


def apply(db: Database, run_id: int, cca: str = "DOPT-IAS") -> tuple[int, str]:
    with db.sessions() as session, session.begin():
        officer = make_officer(session, cca=cca)
        return submit_application(session, officer, run_id, True, NOW).id, officer.username


def stuck(db: Database, settings: Settings, run_id: int) -> tuple[int, str]:
    """An application of STUCK_CCA whose approval failed in record_approval (an open incident)."""
    with db.sessions() as session, session.begin():
        xml = failing_for_stuck_cca(shipped(settings, "cadre_approval"), "record_approval", "raise ValueError('no')")
        deploy_text(session, settings, xml)
    application_id, username = apply(db, run_id, STUCK_CCA)
    with pytest.raises(StepFailed) as failure, db.sessions() as session, session.begin():
        approver = session.scalars(select(User).where(User.username == "cca.hp")).one()
        task_id = session.scalars(select(HumanTask.id).where(HumanTask.application_id == application_id)).one()
        complete_task(session, approver, task_id, {"decision": "approve"}, settings.forms_dir, NOW)
    record_incident(db.sessions, failure.value, NOW)
    return application_id, username


def words(response: TestResponse) -> str:
    """The page's text without its tags, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def shown_data(response: TestResponse) -> dict[str, object]:
    """The process data the page's form shows."""
    found = re.search(r'name="data-process_data"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert found, "no process data form"
    return dict(json.loads(html.unescape(found.group(1))))


def status(db: Database, application_id: int) -> str:
    with db.sessions() as session:
        return session.get_one(Application, application_id).status


def post(client: FlaskClient, path: str, page: str, **data: str) -> TestResponse:
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_the_monitor_filters_and_refuses_filters_it_cannot_use(
    client: FlaskClient, db: Database, settings: Settings, run_id: int
) -> None:
    fine, _officer = apply(db, run_id)
    broken, _other = stuck(db, settings, run_id)
    sign_in(client, "dopt")

    with_incident = words(client.get("/monitor?incident=1"))
    everything = client.get("/monitor?per_page=1")
    refused = client.get("/monitor?incident=maybe")

    assert f"Application {broken}" in with_incident and f"Application {fine}" not in with_incident
    assert "1 application matches" in with_incident
    assert "2 applications match" in words(everything) and 'rel="next"' in everything.text
    assert refused.status_code == 422 and "Incident: Choose with or without an open incident." in words(refused)


def test_the_monitor_says_what_is_wrong_with_a_page_or_a_filter(client: FlaskClient, db: Database, run_id: int) -> None:
    apply(db, run_id)
    apply(db, run_id)
    sign_in(client, "dopt")

    past = words(client.get("/monitor?per_page=1&page=99"))
    version = words(client.get("/monitor?version=2"))
    age = words(client.get("/monitor?min_age_days=-1"))

    assert "Page 99 is past the last page of these applications. Go to the last page (2)" in past
    assert "No application matches" not in past and "page=2" in client.get("/monitor?per_page=1&page=99").text
    assert "Version: A version belongs to a process: choose the process too." in version
    assert "Waiting at least (days): Enter a whole number of days from 0 to 36,500." in age
    assert "min_age_days" not in age


def test_only_operators_open_the_monitor(client: FlaskClient, run_id: int) -> None:
    sign_in(client, "cca.hp")

    assert client.get("/monitor").status_code == 403
    assert client.get("/monitor/1").status_code == 403


def test_the_officer_is_told_plainly_and_the_staff_see_the_error(
    client: FlaskClient, db: Database, settings: Settings, run_id: int
) -> None:
    application_id, officer = stuck(db, settings, run_id)

    sign_in(client, officer)
    officers_page = words(client.get(f"/applications/{application_id}"))
    sign_in(client, "dopt")
    staff_page = words(client.get(f"/applications/{application_id}"))

    assert "Held up on DoPT's side" in officers_page and "ValueError" not in officers_page
    assert (
        "A step of this application's process failed" in staff_page and "record_approval: ValueError: no" in staff_page
    )
    assert f'href="/monitor/{application_id}"' in client.get(f"/applications/{application_id}").text


def test_dopt_reads_the_data_while_a_process_owner_may_change_it(
    client: FlaskClient, db: Database, run_id: int
) -> None:
    application_id, _officer = apply(db, run_id)
    page = f"/monitor/{application_id}"

    sign_in(client, "dopt")
    read_only = client.get(page).text
    sign_in(client, "owner")
    removed = post(client, f"{page}/data", page, **{"data-process_data": '{"application_id": 1}', "data-reason": "x"})
    not_json = post(client, f"{page}/data", page, **{"data-process_data": "{", "data-reason": "x"})
    data = shown_data(client.get(page))
    data["note"] = "checked"
    changed = post(client, f"{page}/data", page, **{"data-process_data": json.dumps(data), "data-reason": "A note"})

    assert 'class="process-data"' in read_only and "data-process_data" not in read_only
    assert removed.status_code == 422 and "Keys cannot be removed" in words(removed)
    assert not_json.status_code == 422 and "This is not valid JSON" in words(not_json)
    assert changed.status_code == 302
    assert "owner changed the process data (note) (reason: A note)" in words(client.get(page))


def test_suspend_resume_and_cancel_need_their_reasons_and_cancelling_a_confirmation(
    client: FlaskClient, db: Database, run_id: int
) -> None:
    application_id, _officer = apply(db, run_id)
    page = f"/monitor/{application_id}"
    sign_in(client, "dopt")

    no_reason = post(client, f"{page}/suspend", page, **{"hold-reason": ""})
    suspended = post(client, f"{page}/suspend", page, **{"hold-reason": "CCA under inquiry"})
    resumed = post(client, f"{page}/resume", page, **{"hold-reason": "Inquiry closed"})
    unconfirmed = post(client, f"{page}/cancel", page, **{"cancel-reason": "Duplicate"})
    cancelled = post(client, f"{page}/cancel", page, **{"cancel-reason": "Duplicate", "cancel-confirm": "y"})

    assert no_reason.status_code == 422 and "Give a reason." in words(no_reason)
    assert (suspended.status_code, resumed.status_code) == (302, 302)
    assert unconfirmed.status_code == 422 and "Tick the box to confirm." in words(unconfirmed)
    assert cancelled.status_code == 302 and status(db, application_id) == "cancelled"
    history = words(client.get(page))
    assert "dopt suspended the application (reason: CCA under inquiry)" in history
    assert "dopt cancelled the application: Duplicate" in history


def test_a_migration_is_shown_before_it_is_done(
    client: FlaskClient, db: Database, settings: Settings, run_id: int
) -> None:
    application_id, _officer = apply(db, run_id)
    with db.sessions() as session, session.begin():
        deploy_text(session, settings, shipped(settings, "cadre_approval").replace('"P7D"', '"P3D"'))
    page = f"/monitor/{application_id}/migrate?process=cadre_approval&version=2"
    sign_in(client, "owner")

    preview = words(client.get(page))
    same = words(client.get(f"/monitor/{application_id}/migrate?process=cadre_approval&version=1"))
    unconfirmed = post(
        client, f"/monitor/{application_id}/migrate", page, process="cadre_approval", version="2", reason="3 days"
    )
    moved = post(
        client,
        f"/monitor/{application_id}/migrate",
        page,
        process="cadre_approval",
        version="2",
        reason="3 days",
        confirm="y",
    )

    assert "What the move would change (nothing is changed yet)" in preview and "approval_reminder" in preview
    assert re.search(r"approval_reminder ?: \d\d-\d\d-\d{4} \d\d:\d\d IST", preview), preview
    assert "The application cannot be moved" in same and "already runs on version 1 of cadre_approval" in same
    assert unconfirmed.status_code == 422
    assert moved.status_code == 302
    assert "moved the application to another version of its process (reason: 3 days)" in words(
        client.get(f"/monitor/{application_id}")
    )
