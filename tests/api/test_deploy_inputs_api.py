"""POST /process-definitions with BPMN as other tools save it: encodings, DOCTYPEs, timers, and
multi-instance tasks in the inbox under their BPMN id."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Incident
from tests.api.conftest import Api, open_run, register
from tests.engine.test_deploy_inputs import GERMAN, encoded, german_review
from tests.factories import forget_scenarios


def _post(client: FlaskClient, owner: Api, xml: bytes, content_type: str = "application/xml") -> Any:
    headers = {"Authorization": f"Bearer {owner.token}", "Content-Type": content_type}
    return client.post("/api/v1/process-definitions", data=xml, headers=headers)


@pytest.mark.parametrize(
    ("declared", "codec"), [("ISO-8859-1", "latin-1"), ("windows-1252", "cp1252"), ("UTF-16", "utf-16")]
)
def test_bpmn_in_a_declared_encoding_is_created_and_served_as_utf8(
    client: FlaskClient, staff: dict[str, Api], declared: str, codec: str
) -> None:
    owner = staff["owner"]
    response = _post(client, owner, encoded(german_review(declared), codec))
    assert response.status_code == 201, response.json
    served = owner.get("/process-definitions/pruefung/versions/1")
    assert GERMAN in served.data.decode("utf-8") and b'encoding="UTF-8"' in served.data[:60]
    listed = [d for d in owner.get("/process-definitions").json if d["key"] == "pruefung"]
    assert listed[0]["sha256"] == hashlib.sha256(served.data).hexdigest()


def test_charset_of_the_request_names_the_encoding_of_an_undeclared_file(
    client: FlaskClient, staff: dict[str, Api]
) -> None:
    xml = german_review().decode("utf-8").replace(' encoding="UTF-8"', "").encode("latin-1")
    assert _post(client, staff["owner"], xml, "application/xml").status_code == 422
    response = _post(client, staff["owner"], xml, "application/xml; charset=ISO-8859-1")
    assert response.status_code == 201, response.json
    assert GERMAN in staff["owner"].get("/process-definitions/pruefung/versions/1").data.decode("utf-8")


def test_undeclared_latin1_is_422_with_the_reason(client: FlaskClient, staff: dict[str, Api]) -> None:
    xml = german_review().decode("utf-8").replace(' encoding="UTF-8"', "").encode("latin-1")
    response = _post(client, staff["owner"], xml)
    assert response.status_code == 422
    assert "not UTF-8 and does not say which encoding" in response.json["error"]["details"][0]


def test_doctype_with_an_external_entity_is_422_naming_it(client: FlaskClient, staff: dict[str, Api]) -> None:
    doctype = '<!DOCTYPE bpmn:definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    xml = german_review().decode("utf-8").replace("?>\n", f"?>\n{doctype}\n", 1).replace("Geprüft", "&secret;")
    response = _post(client, staff["owner"], xml.encode("utf-8"))
    assert response.status_code == 422
    assert "DOCTYPE" in response.json["error"]["details"][0] and "secret" in response.json["error"]["details"][0]
    assert not [d for d in staff["owner"].get("/process-definitions").json if d["key"] == "pruefung"]


def _cadre_approval(settings: Settings, old: str, new: str) -> bytes:
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    assert old in xml
    return xml.replace(old, new).encode("utf-8")


ESCALATION = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P14D"</bpmn:timeDuration>'


def test_invalid_quoted_duration_is_422_naming_the_timer(
    client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    xml = _cadre_approval(settings, ESCALATION, ESCALATION.replace("P14D", "PT14D"))
    response = _post(client, staff["owner"], xml)
    assert response.status_code == 422
    assert response.json["error"]["details"] == [
        "approval_escalation: timer timeDuration: 'PT14D' is not a valid ISO 8601 duration: write P14D "
        "(date parts Y, M, W, D come before the T; time parts H, M, S after it)"
    ]


@pytest.mark.parametrize(
    ("timer", "says"),
    [
        ('<bpmn:timeDate xsi:type="bpmn:tFormalExpression">course_run["starts_on"]</bpmn:timeDate>', "no UTC offset"),
        ('<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT" + "14D"</bpmn:timeDuration>', "write P14D"),
    ],
)
def test_timer_expression_with_an_unusable_value_fails_with_an_incident_naming_the_timer(
    client: FlaskClient, staff: dict[str, Api], settings: Settings, db: Database, timer: str, says: str
) -> None:
    forget_scenarios(db)  # the escalation scenario would refuse this diagram at deploy
    assert _post(client, staff["owner"], _cadre_approval(settings, ESCALATION, timer)).status_code == 201
    officer = register(client)

    response = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})

    # The application is kept, held up by an open incident that names the timer.
    assert response.status_code == 201 and response.json["status"] == "submitted"
    assert response.json["incident"]["element"] == "approval_escalation"
    with db.sessions() as session:
        incident = session.scalars(select(Incident)).one()
    assert "approval_escalation" in incident.message and says in incident.message


def test_multi_instance_approval_is_listed_and_worked_under_its_bpmn_id(
    client: FlaskClient, staff: dict[str, Api], settings: Settings, db: Database
) -> None:
    forget_scenarios(db)  # the shipped scenarios expect one approval, not two
    xml = _cadre_approval(
        settings,
        "<bpmn:incoming>flow_approval_requested</bpmn:incoming>",
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality>"
        "</bpmn:multiInstanceLoopCharacteristics><bpmn:incoming>flow_approval_requested</bpmn:incoming>",
    )
    assert _post(client, staff["owner"], xml).status_code == 201
    officer = register(client)
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    cca = staff["cca"]

    tasks = cca.get(f"/tasks?application_id={application.json['id']}").json
    assert [task["name"] for task in tasks] == ["cca_approval", "cca_approval"]
    assert tasks[0]["due_at"] is not None and tasks[0]["due_at"] == tasks[1]["due_at"]  # the 7-day reminder
    for task in tasks:
        assert cca.get(f"/tasks/{task['id']}").json["name"] == "cca_approval"
        assert cca.post(f"/tasks/{task['id']}/complete", {"data": {"decision": "approve"}}).status_code == 200

    assert officer.get(f"/applications/{application.json['id']}").json["status"] == "awaiting_dopt_confirmation"
