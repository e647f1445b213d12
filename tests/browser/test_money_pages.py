"""The course team's coupon pool and finance's payments in chromium: an upload of 50 codes with
problems reported by line, a payment recorded and seen by the officer; axe-core and 360 px on
every new page; screenshots for reviewers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from engine.config import PROJECT_ROOT, Settings
from engine.models import Coupon
from engine.services.reference import create_course_run
from tests.browser.conftest import People, Site, screenshot, serious_violations
from tests.engine.flow import Flow, to_claim, to_payment

pytestmark = pytest.mark.browser

FIFTY = [f"CGP27-{number:04d}" for number in range(1, 51)]


@pytest.fixture(scope="module")
def flow(site: Site) -> Flow:
    """Staff of every role (finance among them) and a run, driven through the services."""
    folder = PROJECT_ROOT / "test-artifacts"
    settings = Settings(
        database_url="unused",
        instance_path=folder,
        processes_dir=PROJECT_ROOT / "processes",
        forms_dir=PROJECT_ROOT / "forms",
        upload_dir=folder / "uploads",
    )
    return Flow(site.db, settings)


@pytest.fixture(scope="module")
def known_code(site: Site) -> str:
    """A code already in the pool of another run (a code is unique across all runs)."""
    with site.db.sessions() as session, session.begin():
        run = create_course_run(
            session,
            {
                "course": "DASS",
                "starts_on": "2027-03-01",
                "registration_closes_on": "2027-02-20",
                "ends_on": "2027-06-15",
            },
        )
        session.add(Coupon(code="DASS27-0001", course_run_id=run.id, added_by="courseteam"))
    return "DASS27-0001"


def _narrow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_course_team_uploads_fifty_codes_and_sees_two_duplicates_and_one_malformed_reported(
    people: People, site: Site, known_code: str
) -> None:
    lines = list(FIFTY)
    lines[11] = lines[2]  # line 12 repeats line 3
    lines[24] = known_code  # line 25 is in another run's pool
    lines[36] = "CGP27#37"  # line 37: no code
    page = people.signed_in("courseteam")

    page.get_by_role("link", name="Coupons", exact=True).click()
    page.locator(f'a[href="/coupons/runs/{site.run_id}"]').click()
    page.get_by_label("Paste codes", exact=True).fill("\n".join(lines))
    page.get_by_role("button", name="Check and add the codes").click()

    report = page.locator(".upload-report")
    expect(report).to_contain_text("nothing has been added yet")
    expect(report).to_contain_text("50 codes read: 47 can be added; 3 have a problem.")
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("12")
    expect(rows.nth(0)).to_contain_text("repeats line 3 of this upload")
    expect(rows.nth(1)).to_contain_text("25")
    expect(rows.nth(1)).to_contain_text("already in the pool of Data Analysis for Social Scientists")
    expect(rows.nth(2)).to_contain_text("37")
    expect(rows.nth(2)).to_contain_text("not a code")
    screenshot(page, "coupon-pool-upload-report.png")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Add the 47 valid codes and skip the lines above").click()

    expect(page.locator(".flash--success")).to_have_text("Added 47 codes.")
    expect(page.locator(".pool-counts")).to_contain_text("47")
    screenshot(page, "coupon-pool.png")


def test_coupon_pages_have_no_serious_accessibility_violation_and_fit_360_pixels(
    people: People, site: Site, flow: Flow
) -> None:
    flow.add_coupons("A11Y-0001")
    page = people.signed_in(flow.course_team)
    narrow = people.signed_in(flow.course_team, viewport={"width": 360, "height": 740})
    for path, name in (
        ("/coupons", "coupon-pools"),
        (f"/coupons/runs/{flow.run_id}", "coupon-pool-run"),
        ("/coupons/codes/A11Y-0001/void", "coupon-void"),
    ):
        page.goto(path)
        assert serious_violations(page) == [], path
        narrow.goto(path)
        screenshot(narrow, f"{name}-360px.png")
        assert _narrow(narrow) <= 360, path
    screenshot(page, "coupon-pools.png")


def test_finance_pays_a_claim_and_the_officer_sees_the_payment(people: People, flow: Flow) -> None:
    officer = flow.officer(full_name="Nandini Pillai")
    application_id = to_payment(flow, officer, "PAY-0001")
    page = people.signed_in(flow.finance)

    page.get_by_role("link", name="Payments", exact=True).click()
    expect(page.locator(".payment-queue")).to_contain_text("Nandini Pillai")
    expect(page.locator(".payment-queue")).to_contain_text("USD 100.00")
    page.get_by_role("link", name=re.compile(r"^Record the payment\W+Nandini Pillai")).click()
    expect(page.locator("#claim-title")).to_be_visible()
    page.get_by_label("Sanction order number", exact=True).fill("DOPT/TRG/2027/0101")
    page.get_by_label("Paid on", exact=True).fill("08-01-2027")
    page.get_by_label("Amount paid (INR)", exact=True).fill("8350")
    page.get_by_label("Exchange rate (INR per USD)", exact=True).fill("83.5")
    page.get_by_label("Payment reference", exact=True).fill("UTR2027010800101")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".flash--success")).to_contain_text("Done")

    page.goto("/payments/ledger")
    expect(page.locator(".ledger")).to_contain_text("Nandini Pillai")
    expect(page.locator(".totals--month")).to_contain_text("₹8,350.00")
    screenshot(page, "payment-ledger.png")

    mine = people.signed_in(officer)
    mine.goto(f"/applications/{application_id}")
    payment = mine.locator("section", has=mine.locator("#payment-title"))
    expect(payment).to_contain_text("₹8,350.00")
    expect(payment).to_contain_text("08-01-2027")
    expect(payment).to_contain_text("DOPT/TRG/2027/0101")
    expect(payment).to_contain_text("UTR2027010800101")
    expect(mine.locator(".status-panel__label")).to_have_text("Reimbursed")


def test_payment_pages_and_the_verifier_screen_have_no_serious_violation_and_fit_360_pixels(
    people: People, flow: Flow
) -> None:
    to_payment(flow, flow.officer(full_name="Sunil Menon"), "PAY-0002")
    verify = to_claim(flow, flow.officer(full_name="Latha Bhat"), "PAY-0003")
    task_id = people.site.task_id(verify, "verify_claim")
    finance = people.signed_in(flow.finance)
    narrow = people.signed_in(flow.finance, viewport={"width": 360, "height": 740})
    for path, name in (("/payments", "payment-queue"), ("/payments/ledger", "payment-ledger")):
        finance.goto(path)
        assert serious_violations(finance) == [], path
        narrow.goto(path)
        screenshot(narrow, f"{name}-360px.png")
        assert _narrow(narrow) <= 360, path
    screenshot(finance, "payment-queue.png")

    dopt = people.signed_in(flow.dopt)
    dopt.goto(f"/tasks/{task_id}")
    expect(dopt.locator("#documents-title")).to_be_visible()
    screenshot(dopt, "task-verify-claim.png")
    assert serious_violations(dopt) == []
    small = people.signed_in(flow.dopt, viewport={"width": 360, "height": 740})
    small.goto(f"/tasks/{task_id}")
    assert _narrow(small) <= 360
