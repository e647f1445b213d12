"""The process owner's workbench in chromium: the properties panel, the check, versions,
comparison and rollback, the form editor."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from lxml import etree
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.models import HumanTask, ProcessDefinition
from engine.services.people import create_user
from engine.validation import NS, SPIFF_NS, deployable_process, parse_xml
from tests.browser.conftest import PASSWORD, People, Site, screenshot, serious_violations
from tests.factories import NOW

pytestmark = pytest.mark.browser

REMINDER = '.djs-container .djs-element[data-element-id="approval_reminder"]'


@pytest.fixture(scope="module")
def owner(site: Site) -> str:
    with site.db.sessions() as session, session.begin():
        create_user(session, "owner", PASSWORD, ["process_owner"])
    return "owner"


def versions(site: Site, key: str = "cadre_approval") -> dict[int, ProcessDefinition]:
    with site.db.sessions() as session:
        return {d.version: d for d in session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key))}


def due_at(site: Site, application_id: int) -> object:
    with site.db.sessions() as session:
        query = select(HumanTask.due_at).where(HumanTask.application_id == application_id, HumanTask.state == "open")
        return session.scalars(query).one()


def open_newest_in_editor(page: Page, key: str = "cadre_approval") -> None:
    page.goto(f"/processes/{key}")
    page.get_by_role("link", name=re.compile(r"^Edit")).click()
    expect(page.locator(REMINDER if key == "cadre_approval" else ".djs-container")).to_be_visible()


def test_reminder_changed_to_three_days_checked_deployed_compared_and_rolled_back(
    people: People, site: Site, owner: str
) -> None:
    site.add_officer("older", "Officer Older")
    older = site.apply("older")
    page = people.signed_in(owner)
    open_newest_in_editor(page)

    page.locator("#element-chooser").select_option("approval_reminder")
    page.get_by_label("Timer value", exact=True).fill('"P3D"')
    page.get_by_role("button", name="Check without deploying").click()
    expect(page.locator("#check-results h2")).to_have_text("The check passed: nothing was deployed", timeout=60_000)
    assert sorted(versions(site)) == [1]
    page.get_by_label("Comment: why this version").fill("Remind the authority after 3 days")
    page.get_by_label("I understand this changes the process for new applications").check()
    page.get_by_role("button", name="Deploy as new version").click()

    expect(page.locator(".flashes")).to_contain_text("Deployed cadre_approval version 2", timeout=60_000)
    assert versions(site)[2].comment == "Remind the authority after 3 days"
    site.add_officer("newer", "Officer Newer")
    newer = site.apply("newer")
    assert (due_at(site, newer), due_at(site, older)) == (NOW + timedelta(days=3), NOW + timedelta(days=7))
    inbox = people.signed_in("cca.ias")
    expect(inbox.locator("tr", has_text="Officer Newer").locator("time").nth(1)).to_have_text("13-01-2027")
    expect(inbox.locator("tr", has_text="Officer Older").locator("time").nth(1)).to_have_text("17-01-2027")

    page.goto("/processes/cadre_approval")
    expect(page.locator("tr", has_text="Remind the authority after 3 days")).to_be_visible()
    page.get_by_role("link", name="Compare with the newest (version 1)").click()
    changed = page.locator('.changes__row[data-element-id="approval_reminder"]')
    expect(changed).to_contain_text("changed")
    expect(changed).to_contain_text('Timer (duration) (eventDefinitions[0].timeDuration.body): "P7D" → "P3D"')
    expect(page.locator('#diagram-to .djs-element.diff-changed[data-element-id="approval_reminder"]')).to_be_visible()
    screenshot(page, "version-comparison.png")
    assert serious_violations(page) == []

    page.goto("/processes/cadre_approval")
    page.get_by_role("link", name="Roll back to this version (version 1)").click()
    page.get_by_label("Reason").fill("Three days is too soon for the authorities")
    page.get_by_label("I am sure").check()
    page.get_by_role("button", name="Roll back").click()

    expect(page.locator(".flashes")).to_contain_text("version 3 of cadre_approval is version 1 again")
    rolled = versions(site)[3]
    assert (rolled.xml, rolled.restores_version, rolled.deployed_by) == (versions(site)[1].xml, 1, owner)
    assert rolled.comment == "Three days is too soon for the authorities"


def test_a_deleted_task_shows_its_problems_on_the_diagram_and_nothing_is_deployed(
    people: People, site: Site, owner: str
) -> None:
    before = sorted(versions(site))
    page = people.signed_in(owner)
    open_newest_in_editor(page)

    # The approval task, with the reminder and escalation timers attached to it: what followed
    # them is cut off (the modeler reconnects a task's flows only when it has one in and one out).
    page.locator('.djs-container .djs-element[data-element-id="cca_approval"]').click()
    page.keyboard.press("Delete")
    expect(page.locator('.djs-container [data-element-id="cca_approval"]')).to_have_count(0)
    page.get_by_role("button", name="Check without deploying").click()

    expect(page.locator("#check-results h2")).to_have_text("The check found problems: nothing was deployed")
    expect(page.locator('.djs-element.igot-problem[data-element-id="escalated_approval"]')).to_be_visible()
    badges = [badge.get_attribute("title") or "" for badge in page.locator(".igot-problem-badge").all()]
    assert any(title.startswith("escalated_approval") and "cannot be reached" in title for title in badges)
    page.get_by_role("button", name="Show escalated_approval").click()
    expect(page.locator('.djs-element.selected[data-element-id="escalated_approval"]')).to_be_visible()
    # The edited diagram is still in the editor, and nothing was deployed.
    expect(page.locator('.djs-container [data-element-id="cca_approval"]')).to_have_count(0)
    assert serious_violations(page) == []
    assert sorted(versions(site)) == before


def test_the_properties_panel_works_with_the_keyboard_alone(people: People, owner: str) -> None:
    page = people.signed_in(owner)
    open_newest_in_editor(page)

    chooser = page.locator("#element-chooser")
    chooser.focus()
    chooser.select_option("record_approval")  # a select chosen from the keyboard fires the same change
    name = page.get_by_label("Name", exact=True)
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == "name":
            break
    expect(name).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Record the approval")
    expect(page.locator('.djs-element[data-element-id="record_approval"] text')).to_contain_text("Record the")
    code = page.locator('[data-entry-id="script"] .cm-content')
    code.focus()
    page.keyboard.press("Tab")  # Tab leaves the code field: focus is never trapped
    expect(code).not_to_be_focused()


def test_the_panel_writes_what_the_engine_reads_in_its_format(people: People, owner: str) -> None:
    page = people.signed_in(owner)
    open_newest_in_editor(page)
    chooser = page.locator("#element-chooser")

    chooser.select_option("remind_cca")
    page.get_by_label("Lane (who works it)").select_option("lane_dopt")
    page.locator('[data-entry-id="pre-script"] .cm-content').click()
    page.keyboard.type("reminded = True")
    chooser.select_option("flow_approve")
    page.locator('[data-entry-id="condition"] .cm-content').click()
    page.keyboard.press("Control+A")
    page.keyboard.type('decision == "approve" and remarks != "hold"')
    chooser.select_option("gw_decision")
    page.get_by_label("Default flow (taken when no condition holds)").select_option("flow_reject")
    chooser.select_option("respond_clarification")
    page.get_by_label("Form", exact=True).select_option("report_result.schema.json")
    page.get_by_label("Application status while it waits here").select_option("awaiting_result")
    page.get_by_label("Instructions for the person who works the task").fill("Dear {{ officer.full_name }}")
    chooser.select_option("approval_escalation")
    page.get_by_label("Timer kind", exact=True).select_option("timeDate")
    page.get_by_label("Timer value", exact=True).fill("2027-02-01T10:00:00+05:30")
    chooser.select_option("cca_approval")  # leaves the last field: it commits
    page.get_by_role("button", name="Deploy as new version").click()  # not confirmed: the page comes back

    process = deployable_process(parse_xml(page.locator("#xml").input_value().encode("utf-8")))
    spiff = {"s": SPIFF_NS}
    remind = process.find("bpmn:scriptTask[@id='remind_cca']", NS)
    assert remind.findtext("bpmn:extensionElements/s:preScript", namespaces={**NS, **spiff}) == "reminded = True"
    assert "remind_cca" in [ref.text for ref in process.iterfind(".//bpmn:lane[@id='lane_dopt']/bpmn:flowNodeRef", NS)]
    condition = process.find("bpmn:sequenceFlow[@id='flow_approve']/bpmn:conditionExpression", NS)
    assert condition.text == 'decision == "approve" and remarks != "hold"'
    assert process.find("bpmn:exclusiveGateway[@id='gw_decision']", NS).get("default") == "flow_reject"
    task = process.find("bpmn:userTask[@id='respond_clarification']", NS)
    properties = {p.get("name"): p.get("value") for p in task.iterfind(".//s:property", spiff)}
    assert properties.pop(
        "instructionsForEndUser_hi", ""
    ).strip()  # the Hindi instructions the panel does not edit stay
    assert properties == {"formJsonSchemaFilename": "report_result.schema.json", "applicationStatus": "awaiting_result"}
    assert task.findtext(".//s:instructionsForEndUser", namespaces=spiff) == "Dear {{ officer.full_name }}"
    timer = process.find("bpmn:boundaryEvent[@id='approval_escalation']/bpmn:timerEventDefinition", NS)
    assert [(etree.QName(child).localname, child.text) for child in timer] == [
        ("timeDate", "2027-02-01T10:00:00+05:30")
    ]


def test_editor_with_the_panel_open_has_no_serious_accessibility_violation(people: People, owner: str) -> None:
    page = people.signed_in(owner)
    open_newest_in_editor(page)
    page.locator("#element-chooser").select_option("cca_approval")
    form = page.get_by_label("Form", exact=True)
    form.scroll_into_view_if_needed()
    expect(form).to_be_visible()
    screenshot(page, "editor-properties-panel.png")

    assert serious_violations(page) == []


def test_versions_page_has_no_serious_accessibility_violation(people: People, owner: str) -> None:
    page = people.signed_in(owner)
    page.goto("/processes/cadre_approval")

    assert serious_violations(page) == []


def test_a_form_field_retitled_in_the_form_editor_shows_on_new_tasks_only(
    people: People, site: Site, owner: str
) -> None:
    site.add_officer("before", "Officer Before")
    opened_before = site.task_id(site.apply("before"), "cca_approval")
    page = people.signed_in(owner)
    page.goto("/forms")
    page.get_by_role("link", name="Edit cca_approval.schema.json").click()

    page.locator("#p-remarks-title").fill("Remarks for the officer")
    page.get_by_role("button", name="Show the changes").click()
    expect(page.locator(".form-preview").get_by_label("Remarks for the officer")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label(re.compile(r"^I understand this makes a new version")).check()
    page.get_by_role("button", name="Deploy", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("Deployed the form cca_approval.schema.json", timeout=60_000)

    site.add_officer("after", "Officer After")
    opened_after = site.task_id(site.apply("after"), "cca_approval")
    approver = people.signed_in("cca.ias")
    approver.goto(f"/tasks/{opened_after}")
    expect(approver.get_by_label("Remarks for the officer", exact=True)).to_be_visible()
    approver.goto(f"/tasks/{opened_before}")
    expect(approver.get_by_label("Remarks", exact=True)).to_be_visible()
    expect(approver.get_by_label("Remarks for the officer", exact=True)).to_have_count(0)


@pytest.mark.parametrize(
    "path", ["/processes/cadre_approval", "/processes/cadre_approval/1/edit", "/forms/cca_approval.schema.json"]
)
def test_the_workbench_pages_fit_a_360_pixel_wide_screen(people: People, owner: str, path: str) -> None:
    page = people.signed_in(owner, viewport={"width": 360, "height": 740})
    page.goto(path)
    page.wait_for_load_state("networkidle")

    assert page.evaluate("document.documentElement.scrollWidth") <= 360


RECORD_POLICY_REFUSALS = """
window.policyRefusals = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.policyRefusals.push(event.violatedDirective + " " + event.blockedURI.slice(0, 40));
});
"""


def test_the_comparison_runs_under_the_pages_policy(people: People, owner: str) -> None:
    page = people.signed_in(owner, bypass_csp=False)
    page.add_init_script(RECORD_POLICY_REFUSALS)
    page.goto("/processes/cadre_approval/compare")
    expect(page.locator("#changes table, #changes p").first).to_be_visible()

    assert page.evaluate("window.policyRefusals") == []
