"""The workbench pages without a browser: checking in the editor (with and without JavaScript),
versions and rollback, the form editor, and who may use them."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.bootstrap import Database
from engine.config import PROJECT_ROOT
from engine.definitions import deploy
from engine.models import ProcessDefinition
from engine.services.people import create_user
from tests.engine.deletions import without
from tests.integration.test_ui_languages import choose
from tests.integration.ui import PASSWORD, csrf_token, sign_in

CADRE_XML = (PROJECT_ROOT / "processes" / "cadre_approval.bpmn").read_text(encoding="utf-8")
FORM = "/forms/cca_approval.schema.json"


@pytest.fixture
def people(db: Database) -> None:
    with db.sessions() as session, session.begin():
        create_user(session, "owner", PASSWORD, ["process_owner"])
        create_user(session, "dopt", PASSWORD, ["dopt"])


def newest(db: Database, key: str = "cadre_approval") -> ProcessDefinition:
    with db.sessions() as session:
        query = select(ProcessDefinition).where(ProcessDefinition.key == key)
        return max(session.scalars(query), key=lambda row: row.version)


def text(page: str) -> str:
    return html.unescape(page)


def check(client: FlaskClient, xml: str, **headers: str) -> TestResponse:
    data = {"csrf_token": csrf_token(client, "/processes"), "key": "cadre_approval", "version": "1", "xml": xml}
    return client.post("/processes/check", data=data, headers=headers)


def test_the_editor_checks_for_its_script_and_without_javascript(
    client: FlaskClient, db: Database, people: None
) -> None:
    sign_in(client, "owner")
    broken = without("cadre_approval", "request_cca_approval").decode()

    answer = check(client, broken, Accept="application/json")
    page = check(client, broken)
    fine = check(client, CADRE_XML.replace('"P7D"', '"P3D"'), Accept="application/json")

    assert answer.status_code == 200 and answer.json["valid"] is False
    assert "cca_approval" in [p["element"] for p in answer.json["problems"]]
    assert page.status_code == 200
    shown = text(page.text)
    assert "The check found problems: nothing was deployed" in shown
    assert "cca_approval ('Approve nomination'): cannot be reached from the start event" in shown
    assert broken.split("<bpmn:process")[1][:200] in shown  # the edited diagram is still in the editor
    assert fine.json["valid"] is True and fine.json["changed"] is True
    assert newest(db).version == 1


def test_the_editor_hands_its_script_the_choices_and_texts_of_the_panel(client: FlaskClient, people: None) -> None:
    sign_in(client, "owner")

    page = client.get("/processes/cadre_approval/1/edit").text
    data = json.loads(
        html.unescape(page.split('<script type="application/json" id="editor-data">')[1].split("</script>")[0])
    )

    assert "cca_approval.schema.json" in data["choices"]["forms"]
    assert {"value": "awaiting_cadre_approval", "label": "Waiting for the cadre controlling authority's approval"} in (
        data["choices"]["statuses"]
    )
    assert data["choices"]["processes"] == ["cadre_approval", "coupon_issue", "enrollment", "reimbursement"]
    assert {"process": "cadre_approval", "name": "approved"} in data["choices"]["scenarios"]
    assert data["labels"]["Timer value"] == "Timer value"


def test_the_panel_and_the_pages_speak_hindi(client: FlaskClient, people: None) -> None:
    sign_in(client, "owner")
    choose(client, "hi")

    page = client.get("/processes/cadre_approval/1/edit").text
    data = json.loads(html.unescape(page.split('id="editor-data">')[1].split("</script>")[0]))

    assert data["labels"]["Timer value"] == "टाइमर का मान"
    assert data["labels"]["Show {element}"] == "{element} दिखाएँ"
    assert "परिनियोजित किए बिना जाँचें" in text(page)
    assert "cadre_approval के संस्करण" in text(client.get("/processes/cadre_approval").text)
    assert "इंस्टेंस मॉनिटर" in text(client.get("/monitor").text)


def test_instructions_are_previewed_for_the_panel(client: FlaskClient, people: None) -> None:
    sign_in(client, "owner")
    token = csrf_token(client, "/processes")
    body = {"template": "Dear {{ officer.full_name }}", "process": "cadre_approval", "scenario": "approved"}

    answer = client.post("/processes/instructions-preview", json=body, headers={"X-CSRFToken": token})
    refused = client.post("/processes/instructions-preview", json=body)

    assert (answer.status_code, answer.json) == (200, {"text": "Dear Asha Verma"})
    assert refused.status_code == 400  # no CSRF token


def test_versions_show_comments_and_dopt_cannot_roll_back(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "owner")
    data = {
        "csrf_token": csrf_token(client, "/processes"),
        "key": "cadre_approval",
        "version": "1",
        "xml": CADRE_XML.replace('"P7D"', '"P3D"'),
        "comment": "Remind after 3 days",
        "confirm": "yes",
    }
    assert client.post("/processes/deploy", data=data).status_code == 302

    page = text(client.get("/processes/cadre_approval").text)
    assert "Remind after 3 days" in page and "/processes/cadre_approval/1/rollback" in page
    assert "/processes/cadre_approval/compare?from=1&amp;to=2" in client.get("/processes/cadre_approval").text
    compare = client.get("/processes/cadre_approval/compare?from=1&to=2")
    assert compare.status_code == 200 and '"toUrl": "/processes/cadre_approval/2.bpmn"' in compare.text
    assert client.get("/processes/cadre_approval/compare?from=9&to=2").status_code == 404

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/processes")})
    sign_in(client, "dopt")
    assert "/rollback" not in client.get("/processes/cadre_approval").text
    assert client.get("/processes/cadre_approval/1/rollback").status_code == 403


def test_a_rollback_needs_a_reason_and_a_confirmation(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "owner")
    with db.sessions() as session, session.begin():
        deploy(session, CADRE_XML.replace('"P7D"', '"P3D"').encode(), "owner", PROJECT_ROOT / "forms")
    path = "/processes/cadre_approval/1/rollback"

    refused = client.post(path, data={"csrf_token": csrf_token(client, path), "reason": ""})
    done = client.post(path, data={"csrf_token": csrf_token(client, path), "reason": "Too soon", "confirm": "y"})

    assert refused.status_code == 422
    assert "Give a reason." in text(refused.text) and "Tick the box to confirm." in text(refused.text)
    assert done.status_code == 302
    assert (newest(db).version, newest(db).restores_version, newest(db).comment) == (3, 1, "Too soon")


def form_fields_of(page: str) -> dict[str, str]:
    """The editor's fields as the page fills them in, as a browser would post them."""
    found = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="text"[^>]* name="([^"]+)" value="([^"]*)"', page)
    }
    found |= {
        name: html.unescape(value)
        for name, value in re.findall(r'<textarea[^>]* name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S)
    }
    found |= dict.fromkeys(
        re.findall(r'<input type="checkbox"[^>]* name="(p\.[^"]+)" value="yes" checked', page), "yes"
    )
    return found


def form_post(client: FlaskClient, **changes: str) -> TestResponse:
    page = client.get(FORM).text
    data = {"csrf_token": csrf_token(client, FORM), **form_fields_of(page), **changes}
    return client.post(FORM, data=data)


def test_the_form_editor_previews_checks_and_deploys(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "owner")

    preview = form_post(client, **{"p.remarks.title": "Remarks for the officer", "action": "preview"})
    bad = form_post(client, **{"p.decision.options": "approve Approve", "p.remarks.max_length": "many"})
    unconfirmed = form_post(client, action="deploy")
    unchanged = form_post(client, action="deploy", confirm="yes")
    assert (unchanged.status_code, newest(db).version) == (302, 1)
    deployed = form_post(
        client,
        action="deploy",
        confirm="yes",
        comment="Clearer label",
        **{"p.remarks.title": "Remarks for the officer"},
    )

    assert preview.status_code == 200
    assert '<label class="label" for="field-remarks">Remarks for the officer</label>' in preview.text
    assert bad.status_code == 422
    assert "Line 1: write each option as “value = label”." in text(bad.text)
    assert "Enter a whole number from 1 to 100,000, or leave it empty." in text(bad.text)
    assert unconfirmed.status_code == 422
    assert deployed.status_code == 302
    assert (newest(db).version, newest(db).comment) == (2, "Clearer label")


def test_a_field_without_a_title_is_refused_and_not_deployed(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "owner")

    untitled = form_post(client, action="deploy", confirm="yes", **{"p.remarks.title": "  "})

    assert untitled.status_code == 422
    assert "Give the field a title: it is what people see beside the field." in text(untitled.text)
    assert newest(db).version == 1


def test_dopt_sees_the_forms_but_cannot_change_them(client: FlaskClient, people: None) -> None:
    sign_in(client, "dopt")

    assert client.get("/forms").status_code == 200
    page = client.get(FORM)
    assert page.status_code == 200 and "Change the form" not in page.text
    assert form_post(client, action="deploy", confirm="yes").status_code == 403


def test_a_scenario_is_deleted_from_the_versions_page_after_a_confirmation(
    client: FlaskClient, db: Database, people: None
) -> None:
    sign_in(client, "owner")
    page = client.get("/processes/cadre_approval").text
    delete = "/processes/cadre_approval/scenarios/approved/delete"
    assert delete in page
    assert "Deploys of cadre_approval will no longer rehearse it" in text(client.get(delete).text)
    token = csrf_token(client, delete)
    unconfirmed = client.post(delete, data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and "Tick the box to confirm." in unconfirmed.text
    assert delete in client.get("/processes/cadre_approval").text

    assert client.post(delete, data={"csrf_token": token, "confirm": "y"}).status_code == 302
    assert delete not in client.get("/processes/cadre_approval").text
    assert client.get(delete).status_code == 404

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/processes")})
    sign_in(client, "dopt")
    assert "/scenarios/reminded_then_approved/delete" not in client.get("/processes/cadre_approval").text
    assert client.get("/processes/cadre_approval/scenarios/reminded_then_approved/delete").status_code == 403


def test_the_editor_warns_before_a_changed_process_id_makes_a_new_process(
    client: FlaskClient, db: Database, people: None
) -> None:
    sign_in(client, "owner")
    renamed = CADRE_XML.replace('<bpmn:process id="cadre_approval"', '<bpmn:process id="cadre_approval_2"', 1)
    assert renamed != CADRE_XML
    data = {
        "csrf_token": csrf_token(client, "/processes"),
        "key": "cadre_approval",
        "version": "1",
        "xml": renamed,
        "confirm": "yes",
    }
    warned = client.post("/processes/deploy", data=data)
    assert warned.status_code == 422
    assert "The process id changed from cadre_approval to cadre_approval_2" in text(warned.text)
    assert 'name="new_process"' in warned.text
    with db.sessions() as session:
        assert session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == "cadre_approval_2")).all() == []

    assert client.post("/processes/deploy", data=data | {"new_process": "yes"}).status_code == 302
    assert newest(db, "cadre_approval_2").version == 1
