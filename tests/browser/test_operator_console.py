"""The operator's console in chromium: a failing script leaves an application stuck; the monitor
finds it, the instance page shows where it failed, the data is fixed and the step retried."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from engine.config import PROJECT_ROOT
from engine.definitions import deploy
from engine.services.people import create_user
from tests.browser.conftest import PASSWORD, People, Site, screenshot, serious_violations
from tests.engine.broken_processes import STUCK_CCA, add_stuck_cca, failing_for_stuck_cca

pytestmark = pytest.mark.browser

# Fails for officers of STUCK_CCA until their process data says the cadre was verified;
# no scenario uses that CCA, so the diagram deploys with every scenario passing.
UNVERIFIED = (
    'if not officer.get("cadre_verified"):\n        raise ValueError("the cadre of this officer is not verified")'
)


@pytest.fixture(scope="module")
def stuck(site: Site) -> int:
    """An application whose CCA approval fails in record_approval, approved through the browser by its CCA."""
    xml = (PROJECT_ROOT / "processes" / "cadre_approval.bpmn").read_text(encoding="utf-8")
    with site.db.sessions() as session, session.begin():
        add_stuck_cca(session)
        create_user(session, "cca.hp", PASSWORD, ["cca_approver"], STUCK_CCA)
        create_user(session, "owner", PASSWORD, ["process_owner"])
        xml = failing_for_stuck_cca(xml, "record_approval", UNVERIFIED)
        deploy(session, xml.encode("utf-8"), "owner", PROJECT_ROOT / "forms")
    site.add_officer("sunita", "Sunita Rao", cca=STUCK_CCA)
    return site.apply("sunita")


def approve_as_the_cca(people: People, site: Site, application_id: int) -> Page:
    page = people.signed_in("cca.hp")
    page.goto(f"/tasks/{site.task_id(application_id, 'cca_approval')}")
    page.get_by_role("radio", name="Approve").check()
    page.get_by_role("button", name="Submit").click()
    return page


def open_instance(people: People, application_id: int) -> Page:
    page = people.signed_in("owner")
    page.get_by_role("link", name="Monitor").click()
    page.get_by_label("Incident", exact=True).select_option("1")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name=f"Application {application_id}").click()
    return page


def test_a_stuck_application_is_found_repaired_and_moves_on(people: People, site: Site, stuck: int) -> None:
    approver = approve_as_the_cca(people, site, stuck)
    expect(approver.locator(".error-summary")).to_contain_text("The process could not take this step")
    officer = people.signed_in("sunita")
    officer.goto(f"/applications/{stuck}")
    expect(officer.locator(".panel--held-up")).to_contain_text("A problem on DoPT's side holds this application up")
    expect(officer.locator("body")).not_to_contain_text("not verified")

    page = open_instance(people, stuck)
    expect(page.locator(".panel--incident")).to_contain_text("the cadre of this officer is not verified")
    call = page.locator('#instance-diagram .djs-element.state-active[data-element-id="cadre_approval_call"]')
    call.click()  # a call activity opens the diagram of the process it called
    expect(page.get_by_label("Diagram", exact=True)).to_have_value("cadre_approval")
    failed = page.locator('#instance-diagram .djs-element.state-failed[data-element-id="record_approval"]')
    expect(failed).to_be_visible()
    expect(page.locator('#instance-diagram .djs-element.state-active[data-element-id="cca_approval"]')).to_be_visible()
    screenshot(page, "instance.png")
    assert serious_violations(page) == []

    data_field = page.get_by_label("Process data (JSON)")
    data = json.loads(data_field.input_value())
    data["officer"]["cadre_verified"] = True
    data_field.fill(json.dumps(data, indent=2))
    page.locator("form", has=data_field).get_by_label("Reason").fill("Cadre confirmed by HP-DOP on the phone")
    page.get_by_role("button", name="Change the process data").click()
    expect(page.locator(".flash--success")).to_contain_text("The process data was changed: officer")

    page.locator(".panel--incident").get_by_label("Reason").fill("Data fixed; approving again")
    page.get_by_role("button", name="Retry the step").click()

    expect(page.locator(".flash--success")).to_contain_text("went through")
    expect(page.locator(".panel--incident")).to_have_count(0)
    expect(page.locator(".facts").first).to_contain_text("Waiting for DoPT to confirm eligibility")
    history = page.locator(".timeline")
    expect(history).to_contain_text(
        re.compile(r"owner changed the process data \(officer\) \(reason: Cadre confirmed by HP-DOP on the phone\)")
    )
    expect(history).to_contain_text(re.compile(r"owner retried the step that had failed .*reason: Data fixed"))


def test_the_monitor_has_no_serious_accessibility_violation(people: People, stuck: int) -> None:
    page = people.signed_in("owner")
    page.goto("/monitor")
    expect(page.get_by_role("link", name=f"Application {stuck}")).to_be_visible()

    assert serious_violations(page) == []


@pytest.mark.parametrize("page_of", ["/monitor", "/monitor/{id}"])
def test_the_console_fits_a_360_pixel_wide_screen(people: People, stuck: int, page_of: str) -> None:
    page = people.signed_in("owner", viewport={"width": 360, "height": 740})
    page.goto(page_of.format(id=stuck))
    page.wait_for_load_state("networkidle")

    assert page.evaluate("document.documentElement.scrollWidth") <= 360


RECORD_POLICY_REFUSALS = """
window.policyRefusals = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.policyRefusals.push(event.violatedDirective + " " + event.blockedURI.slice(0, 40));
});
"""


def test_the_instance_page_runs_under_the_pages_policy(people: People, stuck: int) -> None:
    page = people.signed_in("owner", bypass_csp=False)
    page.add_init_script(RECORD_POLICY_REFUSALS)
    page.goto(f"/monitor/{stuck}")
    expect(page.locator("#instance-diagram .djs-element").first).to_be_visible()

    assert page.evaluate("window.policyRefusals") == []
