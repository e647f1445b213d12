"""A process owner edits a process in the bpmn-js modeler and deploys it as a new version."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.models import ProcessDefinition
from engine.services.people import create_user
from tests.browser.conftest import PASSWORD, People, Site, serious_violations

pytestmark = pytest.mark.browser

REPORT_RESULT = '.djs-container .djs-element[data-element-id="report_result"]'
NEW_NAME = "Report the course result"
LEAVING_IS_QUESTIONED = """() => {
  const event = new Event("beforeunload", { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""


@pytest.fixture(scope="module")
def owner(site: Site) -> str:
    with site.db.sessions() as session, session.begin():
        create_user(session, "owner", PASSWORD, ["process_owner"])
    return "owner"


def open_editor(people: People, owner: str) -> Page:
    page = people.signed_in(owner)
    page.goto("/processes/enrollment/1/edit")
    expect(page.locator(REPORT_RESULT)).to_be_visible()
    return page


def rename_report_result(page: Page) -> None:
    page.locator(REPORT_RESULT).dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_NAME)
    page.get_by_role("heading", level=1).click()  # leaving the label ends the direct editing


def newest_xml(site: Site) -> str:
    with site.db.sessions() as session:
        query = select(ProcessDefinition).where(ProcessDefinition.key == "enrollment")
        return max(session.scalars(query), key=lambda row: row.version).xml


def test_owner_deploys_an_edited_diagram(people: People, owner: str, site: Site) -> None:
    page = open_editor(people, owner)
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit process enrollment")
    rename_report_result(page)

    page.get_by_label("I understand this changes the process for new applications").check()
    page.get_by_role("button", name="Deploy as new version").click()

    page.wait_for_url("**/processes/enrollment/2")
    expect(page.locator(".flashes")).to_contain_text("Deployed enrollment version 2")
    assert f'name="{NEW_NAME}"' in newest_xml(site)


def test_leaving_is_questioned_only_after_an_edit(people: People, owner: str) -> None:
    page = open_editor(people, owner)
    assert page.evaluate(LEAVING_IS_QUESTIONED) is False

    rename_report_result(page)

    assert page.evaluate(LEAVING_IS_QUESTIONED) is True


def test_editor_has_no_serious_accessibility_violation(people: People, owner: str) -> None:
    page = open_editor(people, owner)

    assert serious_violations(page) == []


RECORD_POLICY_REFUSALS = """
window.policyRefusals = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.policyRefusals.push(event.violatedDirective + " " + event.blockedURI.slice(0, 40));
});
"""


def test_editor_loads_every_resource_the_page_policy_allows(people: People, owner: str) -> None:
    page = people.signed_in(owner, bypass_csp=False)
    page.add_init_script(RECORD_POLICY_REFUSALS)
    page.goto("/processes/enrollment/1/edit")
    expect(page.locator(REPORT_RESULT)).to_be_visible()
    page.wait_for_timeout(300)

    assert page.evaluate("window.policyRefusals") == []
