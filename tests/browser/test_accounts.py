"""Administration and the own account driven through chromium: an administrator makes a CCA
approver who then works that CCA's inbox; an officer edits the profile and changes the
password. axe-core and a 360 px screen on every page these bring; screenshots for reviewers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, People, Site, screenshot, serious_violations

pytestmark = pytest.mark.browser

KARNATAKA = "Karnataka Department of Personnel and Administrative Reforms"


@pytest.fixture(scope="module")
def accounts(site: Site) -> Site:
    """An administrator, and an officer of Karnataka whose nomination waits for its approver."""
    site.add_staff("admin", ["admin"])
    site.add_officer("lakshmi", "Lakshmi Gowda", service="SCS", cca="KA-DPAR")
    site.apply("lakshmi")
    site.add_officer("suresh", "Suresh Menon")
    return site


def test_admin_creates_a_cca_approver_who_then_sees_that_ccas_inbox(people: People, accounts: Site) -> None:
    admin = people.signed_in("admin")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Administration")
    screenshot(admin, "admin-home.png")
    admin.get_by_role("link", name="Users", exact=True).click()
    screenshot(admin, "admin-users.png")
    admin.get_by_role("link", name="Add a staff user").click()
    admin.get_by_label("Username", exact=True).fill("cca.karnataka")
    admin.get_by_label("First password", exact=True).fill(PASSWORD)
    admin.get_by_role("checkbox", name="CCA approver").check()
    admin.get_by_label("Cadre controlling authority", exact=True).select_option(label=KARNATAKA)
    screenshot(admin, "admin-user-new.png")
    admin.get_by_role("button", name="Add the user").click()
    expect(admin.locator(".flash--success")).to_contain_text("cca.karnataka was created")
    expect(admin.get_by_role("heading", level=1)).to_have_text("User cca.karnataka")
    screenshot(admin, "admin-user.png")

    approver = people.signed_in("cca.karnataka")
    expect(approver.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(approver.locator("table.inbox")).to_contain_text("Lakshmi Gowda")
    expect(approver.locator("table.inbox")).to_contain_text(KARNATAKA)

    admin.goto("/admin/audit")
    expect(admin.locator("main table")).to_contain_text("created the user cca.karnataka")
    screenshot(admin, "admin-audit.png")


def test_admin_deactivates_after_a_confirmation(people: People, accounts: Site) -> None:
    accounts.add_staff("temp.desk", ["dopt"])
    admin = people.signed_in("admin")
    admin.goto("/admin/users/temp.desk")
    admin.get_by_role("link", name="Deactivate temp.desk").click()
    screenshot(admin, "admin-user-deactivate.png")
    admin.get_by_role("button", name="Yes, deactivate temp.desk").click()

    expect(admin.locator(".flash--success")).to_contain_text("temp.desk is deactivated")
    expect(admin.locator(".facts")).to_contain_text("Deactivated")


def test_admin_changes_an_authority(people: People, accounts: Site) -> None:
    admin = people.signed_in("admin")
    admin.goto("/admin/ccas")
    screenshot(admin, "admin-ccas.png")
    admin.get_by_role("link", name="Maharashtra General Administration Department").click()
    admin.get_by_label("Nominations need this authority's approval", exact=True).check()
    screenshot(admin, "admin-cca.png")
    admin.get_by_role("button", name="Save").click()

    expect(admin.locator(".flash--success")).to_contain_text("was saved")
    row = admin.get_by_role("row", name=re.compile("Maharashtra General Administration Department"))
    expect(row).to_contain_text("need its approval")


def test_officer_edits_the_profile_and_changes_the_password(people: People, accounts: Site) -> None:
    officer = people.signed_in("suresh")
    officer.get_by_role("link", name="My account").click()
    officer.get_by_label("Mobile number", exact=True).fill("+919876500000")
    officer.get_by_label("Designation", exact=True).fill("Director")
    officer.get_by_role("button", name="Save contact details").click()
    expect(officer.locator(".flash--success")).to_have_text("Your contact details were saved.")
    expect(officer.get_by_label("Designation", exact=True)).to_have_value("Director")
    expect(officer.locator(".timeline")).to_contain_text("Designation from Under Secretary to Director")
    screenshot(officer, "profile.png")

    officer.get_by_role("link", name="Change your password").click()
    officer.get_by_label("Current password", exact=True).fill(PASSWORD)
    officer.get_by_label("New password", exact=True).fill("suresh-new-password")
    officer.get_by_label("New password again", exact=True).fill("suresh-new-password")
    officer.get_by_role("button", name="Change the password").click()
    expect(officer.locator(".flash--success")).to_contain_text("Your password was changed")
    officer.get_by_role("button", name="Sign out").click()

    officer.goto("/sign-in")
    officer.get_by_label("Username", exact=True).fill("suresh")
    officer.get_by_label("Password", exact=True).fill("suresh-new-password")
    officer.get_by_role("button", name="Sign in").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("My applications")


ADMIN_PAGES = [
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/dopt",
    "/admin/users/dopt/deactivate",
    "/admin/ccas",
    "/admin/ccas/new",
    "/admin/ccas/KA-DPAR",
    "/admin/audit",
]
OFFICER_PAGES = ["/profile", "/profile/service", "/profile/password", "/courses", "/applications"]


def _open(people: People, username: str, path: str, **options: object) -> Page:
    page = people.signed_in(username, **options)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_have_no_serious_accessibility_violation(people: People, accounts: Site, path: str) -> None:
    assert serious_violations(_open(people, "admin", path)) == []


@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_account_pages_have_no_serious_accessibility_violation(people: People, accounts: Site, path: str) -> None:
    assert serious_violations(_open(people, "lakshmi", path)) == []


def test_a_form_with_errors_has_no_serious_accessibility_violation(people: People, accounts: Site) -> None:
    admin = _open(people, "admin", "/admin/users/new")
    admin.get_by_role("button", name="Add the user").click()
    expect(admin.locator(".error-summary")).to_be_visible()
    screenshot(admin, "admin-user-new-errors.png")

    assert serious_violations(admin) == []


@pytest.mark.parametrize(
    ("username", "path"), [("admin", p) for p in ADMIN_PAGES] + [("lakshmi", p) for p in OFFICER_PAGES]
)
def test_each_new_page_fits_a_360_pixel_wide_screen(people: People, accounts: Site, username: str, path: str) -> None:
    page = _open(people, username, path, viewport={"width": 360, "height": 740})
    if path in ("/admin/users", "/profile"):
        screenshot(page, f"{path.strip('/').replace('/', '-')}-360px.png")

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
