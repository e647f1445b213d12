"""A step whose script fails answers 422 step_failed, keeps the last good state and leaves an incident."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Incident
from tests.api.conftest import Api, open_run, register


def test_failing_script_is_422_with_an_incident_and_no_change(
    client: FlaskClient, staff: dict[str, Api], db: Database, settings: Settings
) -> None:
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    broken = xml.replace('cadre_outcome = "approved"', "cadre_outcome = no_such_name").encode()
    headers = {"Authorization": f"Bearer {staff['owner'].token}", "Content-Type": "application/xml"}
    assert client.post("/api/v1/process-definitions", data=broken, headers=headers).json["version"] == 2
    officer = register(client)
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    application_id = application.json["id"]

    response = staff["cca"].complete(application_id, "cca_approval", {"decision": "approve"})

    assert response.status_code == 422
    assert response.json["error"]["code"] == "step_failed"
    assert f"incident {response.json['error']['incident_id']}" in response.json["error"]["message"]
    assert officer.get(f"/applications/{application_id}").json["status"] == "awaiting_cadre_approval"
    with db.sessions() as session:
        incident = session.scalars(select(Incident)).one()
    assert incident.application_id == application_id and "no_such_name" in incident.message
    assert (incident.id, incident.element) == (response.json["error"]["incident_id"], "record_approval")
    assert staff["cca"].get(f"/tasks?application_id={application_id}").json[0]["name"] == "cca_approval"
