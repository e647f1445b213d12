"""An officer's enrollment driven through chromium: register, apply, approval, confirmation, coupon."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import People, Site

pytestmark = pytest.mark.browser


def test_officer_registers_applies_and_gets_the_coupon_after_approval_and_confirmation(
    people: People, site: Site
) -> None:
    site.add_coupon("MITX-CGP-0001")

    officer = people.page()
    officer.goto("/register")
    officer.get_by_label("Username", exact=True).fill("priya")
    officer.get_by_label("Password", exact=True).fill("priya-password-1")
    officer.get_by_label("Full name", exact=True).fill("Priya Nair")
    officer.get_by_label("E-mail address", exact=True).fill("priya@example.gov.in")
    officer.get_by_label("Mobile number", exact=True).fill("+919800000001")
    officer.get_by_label("Service", exact=True).select_option("IAS")
    officer.get_by_label("Cadre controlling authority", exact=True).select_option("DOPT-IAS")
    officer.get_by_label("Designation", exact=True).fill("Deputy Secretary")
    officer.get_by_label("Date of joining the service", exact=True).fill("01-07-2013")
    officer.get_by_label("Date of birth", exact=True).fill("12-03-1984")
    officer.get_by_label("edX username", exact=True).fill("priya_edx")
    officer.get_by_role("button", name="Register").click()
    expect(officer).to_have_url(re.compile(r"/courses$"))

    officer.get_by_role("link", name=re.compile(r"^Apply for The Challenges of Global Poverty")).click()
    officer.get_by_label("I confirm the declaration", exact=True).check()
    officer.get_by_role("button", name="Submit application").click()
    expect(officer.locator(".verdict")).to_have_text("Eligible")
    expect(officer.locator(".status-panel__label")).to_contain_text("cadre controlling authority")

    approver = people.signed_in("cca.ias")
    expect(approver.get_by_role("heading", level=1)).to_have_text("Inbox")
    approver.get_by_role("link", name=re.compile(r"Priya Nair")).click()
    approver.get_by_role("radio", name="Approve").check()
    approver.get_by_role("button", name="Submit").click()
    expect(approver.locator(".flash--success")).to_contain_text("Done")

    dopt = people.signed_in("dopt")
    dopt.get_by_role("link", name=re.compile(r"Priya Nair")).click()
    dopt.get_by_role("radio", name="Confirm eligibility").check()
    dopt.get_by_role("button", name="Submit").click()
    expect(dopt.locator(".flash--success")).to_contain_text("Done")

    officer.goto("/applications")
    officer.get_by_role("link", name="The Challenges of Global Poverty", exact=True).click()
    expect(officer.locator(".coupon code")).to_have_text("MITX-CGP-0001")
    expect(officer.locator(".status-panel__label")).to_have_text("Enrolled: coupon code issued")


def test_failing_form_shows_each_error_beside_its_field(people: People, site: Site) -> None:
    site.add_officer("rohan", "Rohan Mehta")
    site.apply("rohan")

    approver = people.signed_in("cca.ias")
    approver.get_by_role("link", name=re.compile(r"Rohan Mehta")).click()
    approver.get_by_role("radio", name="Reject").check()
    approver.get_by_role("button", name="Submit").click()

    remarks = approver.get_by_label("Remarks", exact=True)
    expect(remarks).to_have_attribute("aria-invalid", "true")
    beside = approver.locator(".field", has=remarks).locator(".field-error")
    expect(beside).to_contain_text("Give your remarks")
    expect(approver.locator(".error-summary")).to_contain_text("Remarks")
    expect(approver.get_by_role("radio", name="Reject")).to_be_checked()
