"""A step that fails answers 422 step_failed with an incident; operators see it, repair the data, retry."""

from __future__ import annotations

from flask.testing import FlaskClient

from engine.bootstrap import Database
from engine.config import Settings
from engine.incidents import BEING_LOOKED_AT, HELD_UP
from engine.models import Incident
from engine.services.people import create_user
from tests.api.conftest import PASSWORD, Api, open_run, register, sign_in
from tests.engine.broken_processes import (
    BASE_EXCEPTIONS,
    STUCK_CCA,
    add_stuck_cca,
    failing_for_stuck_cca,
    failure_words,
    shipped,
)

MISSING_REGISTER = 'register_number = approval_register["next"]'


def _deploy(client: FlaskClient, owner: Api, xml: str) -> int:
    headers = {"Authorization": f"Bearer {owner.token}", "Content-Type": "application/xml"}
    response = client.post("/api/v1/process-definitions", data=xml.encode("utf-8"), headers=headers)
    assert response.status_code == 201, response.json
    return int(response.json["version"])


def _stuck_application(
    client: FlaskClient, staff: dict[str, Api], db: Database, settings: Settings, statement: str
) -> tuple[Api, Api, int]:
    """An officer of STUCK_CCA whose approval's record_approval script runs `statement`; the approver."""
    with db.sessions() as session, session.begin():
        add_stuck_cca(session)
        create_user(session, "cca_hp", PASSWORD, ["cca_approver"], STUCK_CCA)
    xml = failing_for_stuck_cca(shipped(settings, "cadre_approval"), "record_approval", statement)
    assert _deploy(client, staff["owner"], xml) == 2
    officer = register(client, cca=STUCK_CCA)
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    assert application.status_code == 201, application.json
    return officer, sign_in(client, "cca_hp"), int(application.json["id"])


def test_a_stuck_application_is_seen_repaired_and_carried_on(
    client: FlaskClient, staff: dict[str, Api], db: Database, settings: Settings
) -> None:
    officer, approver, application_id = _stuck_application(client, staff, db, settings, MISSING_REGISTER)

    failed = approver.complete(application_id, "cca_approval", {"decision": "approve"})
    again = approver.complete(application_id, "cca_approval", {"decision": "approve"})

    assert failed.status_code == again.status_code == 422
    assert failed.json["error"]["code"] == "step_failed"
    incident_id = failed.json["error"]["incident_id"]
    assert again.json["error"]["incident_id"] == incident_id
    assert f"incident {incident_id}" in failed.json["error"]["message"]
    listed = staff["dopt"].get("/incidents").json
    assert [(i["id"], i["application_id"], i["element"], i["count"]) for i in listed] == [
        (incident_id, application_id, "record_approval", 2)
    ]
    assert "approval_register" in listed[0]["message"] and listed[0]["step"] == "complete_task"
    seen_by_dopt = staff["dopt"].get(f"/applications/{application_id}").json["incident"]
    assert (seen_by_dopt["id"], seen_by_dopt["element"], seen_by_dopt["count"]) == (incident_id, "record_approval", 2)
    assert "approval_register" in seen_by_dopt["message"]
    assert officer.get(f"/applications/{application_id}").json["incident"]["message"] == HELD_UP
    assert officer.get(f"/applications/{application_id}").json["status"] == "awaiting_cadre_approval"

    patch = staff["owner"].client.patch(
        f"/api/v1/applications/{application_id}/data",
        json={"data": {"approval_register": {"next": 17}}, "reason": "HP's register number was never loaded"},
        headers={"Authorization": f"Bearer {staff['owner'].token}"},
    )
    assert patch.status_code == 200, patch.json
    assert patch.json["data"]["approval_register"] == {"next": 17}
    retried = staff["dopt"].post(f"/incidents/{incident_id}/retry", {"reason": "register loaded"})

    assert retried.status_code == 200, retried.json
    application = retried.json["application"]
    assert (application["status"], application["incident"]) == ("awaiting_dopt_confirmation", None)
    assert staff["dopt"].get("/incidents").json == []
    closed = staff["dopt"].get("/incidents?all=1").json
    assert [(i["id"], i["open"], i["resolved_by"]) for i in closed] == [(incident_id, False, "dopt")]
    history = [(e["actor"], e["action"], e["reason"]) for e in application["history"]]
    assert ("owner", "data_changed", "HP's register number was never loaded") in history
    assert ("dopt", "incident_retried", "register loaded") in history
    assert ("cca_hp", "completed", None) in history


def test_the_incident_closes_when_the_same_step_goes_through_after_the_repair(
    client: FlaskClient, staff: dict[str, Api], db: Database, settings: Settings
) -> None:
    _officer, approver, application_id = _stuck_application(client, staff, db, settings, MISSING_REGISTER)
    failed = approver.complete(application_id, "cca_approval", {"decision": "approve"})
    body = {"data": {"approval_register": {"next": 3}}, "reason": "register loaded"}
    headers = {"Authorization": f"Bearer {staff['owner'].token}"}
    assert client.patch(f"/api/v1/applications/{application_id}/data", json=body, headers=headers).status_code == 200

    assert approver.complete(application_id, "cca_approval", {"decision": "approve"}).status_code == 200

    closed = staff["dopt"].get("/incidents?all=1").json
    assert [(i["id"], i["open"], i["resolved_by"], i["resolution"]) for i in closed] == [
        (failed.json["error"]["incident_id"], False, "cca_hp", "the process moved on")
    ]


def test_a_retry_that_fails_again_is_422_and_counts_on_the_same_incident(
    client: FlaskClient, staff: dict[str, Api], db: Database, settings: Settings
) -> None:
    _officer, approver, application_id = _stuck_application(client, staff, db, settings, MISSING_REGISTER)
    incident_id = approver.complete(application_id, "cca_approval", {"decision": "approve"}).json["error"][
        "incident_id"
    ]

    retried = staff["owner"].post(f"/incidents/{incident_id}/retry", {"reason": "register restored"})

    assert retried.status_code == 422
    history = staff["dopt"].get(f"/applications/{application_id}").json["history"]
    failed = [entry for entry in history if entry["action"] == "incident_retry_failed"]
    assert [(e["actor"], e["reason"], e["task"], e["text"]) for e in failed] == [
        (
            "owner",
            "register restored",
            "record_approval",
            "retried the step that had failed; it failed again “Record approval”",
        )
    ]
    assert retried.json["error"]["code"] == "step_failed"
    assert "approval_register" in retried.json["error"]["message"]
    assert (retried.json["error"]["incident"]["id"], retried.json["error"]["incident"]["count"]) == (incident_id, 2)
    assert staff["dopt"].get(f"/applications/{application_id}").json["status"] == "awaiting_cadre_approval"
    assert staff["dopt"].post(f"/incidents/{incident_id + 99}/retry").status_code == 404


def test_any_exception_from_a_script_on_the_web_is_a_step_failure_with_an_incident(
    client: FlaskClient, staff: dict[str, Api], db: Database, settings: Settings
) -> None:
    with db.sessions() as session, session.begin():
        add_stuck_cca(session)
        create_user(session, "cca_hp", PASSWORD, ["cca_approver"], STUCK_CCA)
    approver = sign_in(client, "cca_hp")
    run_id = open_run(staff["dopt"])["id"]
    for kind, statement in BASE_EXCEPTIONS.items():
        # Each application binds the newest version: the one raising this kind.
        _deploy(
            client,
            staff["owner"],
            failing_for_stuck_cca(shipped(settings, "cadre_approval"), "record_approval", statement),
        )
        officer = register(client, cca=STUCK_CCA)
        application_id = officer.post("/applications", {"course_run_id": run_id, "declaration": True}).json["id"]

        response = approver.complete(application_id, "cca_approval", {"decision": "approve"})

        assert (response.status_code, response.json["error"]["code"]) == (422, "step_failed"), kind
        with db.sessions() as session:
            incident = session.get_one(Incident, response.json["error"]["incident_id"])
        assert (incident.application_id, incident.element) == (application_id, "record_approval"), kind
        assert failure_words(kind) in incident.message, kind
        assert approver.get(f"/tasks?application_id={application_id}").json[0]["name"] == "cca_approval"
        assert officer.get(f"/applications/{application_id}").json["status"] == "awaiting_cadre_approval"


def test_a_submission_whose_start_fails_is_kept_and_a_retry_starts_it(
    client: FlaskClient, staff: dict[str, Api], db: Database, settings: Settings
) -> None:
    with db.sessions() as session, session.begin():
        add_stuck_cca(session)
    original = shipped(settings, "enrollment")
    broken = failing_for_stuck_cca(original, "check_eligibility_task", 'rules = eligibility_register["rules"]')
    assert _deploy(client, staff["owner"], broken) == 2
    officer = register(client, cca=STUCK_CCA)

    submitted = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})

    assert submitted.status_code == 201
    assert (submitted.json["status"], submitted.json["process"]) == ("submitted", None)
    incident = submitted.json["incident"]
    assert (incident["element"], incident["message"]) == ("check_eligibility_task", HELD_UP)
    assert [i["step"] for i in staff["dopt"].get("/incidents").json] == ["start_process"]
    assert _deploy(client, staff["owner"], original) == 3
    retried = staff["dopt"].post(f"/incidents/{incident['id']}/retry")
    assert retried.status_code == 200, retried.json
    application = retried.json["application"]
    assert (application["status"], application["process"]["version"]) == ("awaiting_cadre_approval", 3)
    assert application["incident"] is None


def test_instructions_that_could_not_be_shown_are_being_looked_at_for_the_officer(
    client: FlaskClient, staff: dict[str, Api], db: Database, settings: Settings
) -> None:
    xml = shipped(settings, "cadre_approval")
    broken = xml.replace("{{ officer.full_name }} ({{ officer.designation }}", "{{ officer.full_name / 0 }} (", 1)
    assert broken != xml
    assert _deploy(client, staff["owner"], broken) == 2
    officer = register(client)
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    assert application.status_code == 201, application.json

    seen = officer.get(f"/applications/{application.json['id']}").json
    assert seen["status"] == "awaiting_cadre_approval"
    assert seen["incident"]["message"] == BEING_LOOKED_AT
    assert "TypeError" in staff["dopt"].get(f"/applications/{application.json['id']}").json["incident"]["message"]
