"""The BPMN editor of process owners: deploying a new version from a form."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.bootstrap import Database
from engine.config import PROJECT_ROOT
from engine.models import ProcessDefinition
from engine.services.people import create_user
from tests.engine.deletions import without
from tests.integration.ui import PASSWORD, csrf_token, sign_in
from webapp.ui.processes.forms import MAX_XML_BYTES

CADRE_XML = (PROJECT_ROOT / "processes" / "cadre_approval.bpmn").read_text(encoding="utf-8")
CHANGED_XML = CADRE_XML.replace('"P7D"', '"P5D"')
EDIT_PAGE = "/processes/cadre_approval/1/edit"
UNSAFE_SCRIPT = "<bpmn:script>import os\n"


@pytest.fixture
def people(db: Database) -> None:
    with db.sessions() as session, session.begin():
        create_user(session, "owner", PASSWORD, ["process_owner"])
        create_user(session, "dopt", PASSWORD, ["dopt"])


def post_deploy(client: FlaskClient, xml: str, confirm: bool = True) -> TestResponse:
    data = {"csrf_token": csrf_token(client, "/processes"), "key": "cadre_approval", "version": "1", "xml": xml}
    if confirm:
        data["confirm"] = "yes"
    return client.post("/processes/deploy", data=data)


def versions(db: Database, key: str = "cadre_approval") -> list[int]:
    with db.sessions() as session:
        query = select(ProcessDefinition.version).where(ProcessDefinition.key == key)
        return sorted(session.scalars(query))


def error_summary(page: str) -> str:
    match = re.search(r'<div class="error-summary"[^>]*role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no error summary"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def submitted_xml(page: str) -> str:
    match = re.search(r'<textarea id="xml" name="xml"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no BPMN XML textarea"
    return html.unescape(match.group(1))


def test_owner_sees_the_editor_with_the_versions_xml(client: FlaskClient, people: None) -> None:
    sign_in(client, "owner")

    page = client.get(EDIT_PAGE)

    assert page.status_code == 200
    assert "<h1>Edit process cadre_approval</h1>" in page.text
    assert 'data-xml-url="/processes/cadre_approval/1.bpmn"' in page.text
    assert submitted_xml(page.text) == CADRE_XML


def test_list_offers_edit_for_the_newest_version_to_owners(client: FlaskClient, people: None) -> None:
    sign_in(client, "owner")

    page = client.get("/processes").text

    assert 'href="/processes/cadre_approval/1/edit"' in page


def test_list_offers_no_edit_to_dopt(client: FlaskClient, people: None) -> None:
    sign_in(client, "dopt")

    page = client.get("/processes").text

    assert "/edit" not in page


def test_owner_deploys_changed_xml_as_a_new_version(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "owner")

    response = post_deploy(client, CHANGED_XML)

    assert response.status_code == 302
    assert response.headers["Location"] == "/processes/cadre_approval/2"
    assert versions(db) == [1, 2]
    # cadre_approval's scenarios and those of enrollment, which calls it.
    folders = [PROJECT_ROOT / "processes" / "scenarios" / key for key in ("cadre_approval", "enrollment")]
    scenarios = sum(len(list(folder.glob("*.json"))) for folder in folders)
    assert (
        f"Deployed cadre_approval version 2; {scenarios} scenarios rehearsed, all passed"
        in client.get("/processes/cadre_approval/2").text
    )


def test_browser_line_breaks_are_stored_as_in_the_file(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "owner")

    response = post_deploy(client, CADRE_XML.replace("\n", "\r\n"))

    assert response.status_code == 302
    assert versions(db) == [1]


def test_unchanged_xml_makes_no_new_version(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "owner")

    response = post_deploy(client, CADRE_XML)

    assert response.headers["Location"] == "/processes/cadre_approval/1"
    assert "No changes: cadre_approval version 1 is unchanged" in client.get(response.headers["Location"]).text
    assert versions(db) == [1]


def test_refused_xml_is_shown_with_every_reason(client: FlaskClient, db: Database, people: None) -> None:
    unsafe = CADRE_XML.replace("<bpmn:script>", UNSAFE_SCRIPT, 1)
    sign_in(client, "owner")

    response = post_deploy(client, unsafe)

    assert response.status_code == 422
    summary = error_summary(response.text)
    assert "request_cca_approval:" in summary
    assert "imports are not allowed" in summary
    assert versions(db) == [1]


def test_deleting_a_task_in_the_editor_is_refused_naming_what_it_cuts_off(
    client: FlaskClient, db: Database, people: None
) -> None:
    deleted = without("cadre_approval", "record_rejection").decode("utf-8")
    sign_in(client, "owner")

    response = post_deploy(client, deleted)

    assert response.status_code == 422
    summary = error_summary(response.text)
    assert "nomination_rejected ('Nomination rejected'): cannot be reached from the start event" in summary
    assert versions(db) == [1]


def test_refused_xml_stays_in_the_editor(client: FlaskClient, people: None) -> None:
    unsafe = CADRE_XML.replace("<bpmn:script>", UNSAFE_SCRIPT, 1)
    sign_in(client, "owner")

    response = post_deploy(client, unsafe)

    assert submitted_xml(response.text) == unsafe
    assert 'data-source="submitted"' in response.text


def test_confirmation_is_required(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "owner")

    response = post_deploy(client, CHANGED_XML, confirm=False)

    assert response.status_code == 422
    assert "I understand this changes the process for new applications" in error_summary(response.text)
    assert versions(db) == [1]


def test_xml_over_5_mb_is_refused(client: FlaskClient, db: Database, people: None) -> None:
    padding = "<!--" + "x" * MAX_XML_BYTES + "-->"
    sign_in(client, "owner")

    response = post_deploy(client, CHANGED_XML + padding)

    assert response.status_code == 413
    assert "the largest that can be deployed is 5 MB" in error_summary(response.text)
    assert versions(db) == [1]


def test_dopt_may_not_open_the_editor(client: FlaskClient, people: None) -> None:
    sign_in(client, "dopt")

    assert client.get(EDIT_PAGE).status_code == 403


def test_dopt_may_not_deploy(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "dopt")

    response = post_deploy(client, CHANGED_XML)

    assert response.status_code == 403
    assert versions(db) == [1]


def test_deploy_without_csrf_token_is_refused(client: FlaskClient, db: Database, people: None) -> None:
    sign_in(client, "owner")

    data = {"key": "cadre_approval", "version": "1", "xml": CHANGED_XML, "confirm": "yes"}
    response = client.post("/processes/deploy", data=data)

    assert response.status_code == 400
    assert versions(db) == [1]


def test_signed_out_visitor_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get(EDIT_PAGE)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_text_still_declaring_iso_8859_1_is_read_as_the_unicode_it_is(
    client: FlaskClient, people: None, db: Database
) -> None:
    sign_in(client, "owner")
    pasted = CHANGED_XML.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1).replace(
        'name="Approve nomination"', 'name="Genehmigung durch Behörde"'
    )

    response = post_deploy(client, pasted)

    assert response.status_code == 302
    with db.sessions() as session:
        stored = session.scalars(select(ProcessDefinition.xml).where(ProcessDefinition.version == 2)).one()
    assert "Genehmigung durch Behörde" in stored and 'encoding="UTF-8"' in stored
