"""axe-core finds no serious or critical violation on the main pages; screenshots for reviewers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import People, Site, screenshot, serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def application_id(site: Site) -> int:
    """An application of Kavita Das (eligible) waiting in the DOPT-IAS approver's inbox."""
    site.add_officer("kavita", "Kavita Das")
    return site.apply("kavita")


def approver_task_page(people: People, site: Site, application_id: int, **options: object) -> Page:
    page = people.signed_in("cca.ias", **options)
    page.goto(f"/tasks/{site.task_id(application_id, 'cca_approval')}")
    return page


def test_sign_in_page_has_no_serious_accessibility_violation(people: People) -> None:
    page = people.page()
    page.goto("/sign-in")

    assert serious_violations(page) == []


def test_inbox_has_no_serious_accessibility_violation(people: People, application_id: int) -> None:
    page = people.signed_in("cca.ias")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    screenshot(page, "inbox.png")

    assert serious_violations(page) == []


def test_task_form_has_no_serious_accessibility_violation(people: People, site: Site, application_id: int) -> None:
    page = approver_task_page(people, site, application_id)
    screenshot(page, "task-cca-approval.png")

    assert serious_violations(page) == []


def test_task_form_with_errors_has_no_serious_accessibility_violation(
    people: People, site: Site, application_id: int
) -> None:
    page = approver_task_page(people, site, application_id)
    page.get_by_role("radio", name="Return to the officer for clarification").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".error-summary")).to_be_visible()
    screenshot(page, "task-cca-approval-errors.png")

    assert serious_violations(page) == []


def test_application_page_has_no_serious_accessibility_violation(people: People, application_id: int) -> None:
    page = people.signed_in("kavita")
    page.goto(f"/applications/{application_id}")
    expect(page.locator(".status-panel__label")).to_be_visible()
    screenshot(page, "application.png")

    assert serious_violations(page) == []


def test_task_page_fits_a_360_pixel_wide_screen(people: People, site: Site, application_id: int) -> None:
    page = approver_task_page(people, site, application_id, viewport={"width": 360, "height": 740})
    screenshot(page, "task-cca-approval-360px.png")

    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_inbox_fits_a_360_pixel_wide_screen(people: People, application_id: int) -> None:
    page = people.signed_in("cca.ias", viewport={"width": 360, "height": 740})
    screenshot(page, "inbox-360px.png")

    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(people: People) -> None:
    page = people.page()
    page.goto("/sign-in")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()


def test_task_can_be_completed_with_the_keyboard_alone(people: People, site: Site) -> None:
    site.add_officer("arjun", "Arjun Bose")
    application_id = site.apply("arjun")
    page = approver_task_page(people, site, application_id)

    page.get_by_role("radio", name="Approve").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Submit").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator(".flash--success")).to_contain_text("Done")


def test_notifications_page_has_no_serious_accessibility_violation_and_fits_360_pixels(
    people: People, application_id: int
) -> None:
    page = people.signed_in("cca.ias", viewport={"width": 360, "height": 800})
    page.goto("/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("button", name=re.compile("^Mark as read"))).not_to_have_count(0)
    screenshot(page, "notifications-360.png")

    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_forgot_password_page_has_no_serious_accessibility_violation(people: People) -> None:
    page = people.page()
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill("nobody@example.gov.in")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("a link to choose a new password is on its way")

    assert serious_violations(page) == []


@pytest.fixture(scope="module")
def all_roles(site: Site) -> str:
    site.add_staff("all.roles", ["admin", "finance", "dopt", "process_owner"])
    return "all.roles"


@pytest.mark.parametrize(
    "path", ["/payments/ledger", "/monitor", "/admin/users", "/admin/audit", "/processes/enrollment/compare"]
)
def test_staff_lists_fit_a_360_pixel_wide_screen(
    people: People, application_id: int, all_roles: str, path: str
) -> None:
    page = people.signed_in(all_roles, viewport={"width": 360, "height": 740})
    page.goto(path)
    expect(page.locator("h1")).to_be_visible()
    past_the_edge = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361).length"
    )

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert past_the_edge == 0
