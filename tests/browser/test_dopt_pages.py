"""DoPT in chromium: adds a course run, reads the reports (figures equal a count taken from
the data), downloads a table as CSV and XLSX; every new page is axe-clean and fits 360 px."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.models import Application, CourseRun
from tests.browser.conftest import People, Site, screenshot, serious_violations
from tests.bulk import build_programme
from tests.factories import NOW

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def statuses(site: Site) -> Counter[str]:
    """A programme of 150 applications; the count of each status, taken from the table."""
    with site.db.sessions() as session:
        build_programme(session, 150, NOW, seed=3)
        session.commit()
        return Counter(session.scalars(select(Application.status)))


def _new_pages(site: Site) -> list[str]:
    with site.db.sessions() as session:
        run_id = session.scalars(select(CourseRun.id).order_by(CourseRun.id)).first()
    return [
        "/reports",
        "/reports/dfft",
        "/applications/all",
        "/applications/all?status=reimbursed&sort=officer",
        "/runs",
        "/runs/new",
        f"/runs/{run_id}/edit",
        f"/runs/{run_id}/close",
        "/runs/courses",
        "/runs/courses/new",
        "/runs/courses/CGP/edit",
    ]


def test_dopt_adds_a_course_run_through_the_form(people: People, site: Site) -> None:
    page = people.signed_in("dopt")
    page.get_by_role("link", name="Course runs").click()
    page.get_by_role("link", name="Add a course run").click()

    page.get_by_label("Course", exact=True).select_option("FDP")
    page.get_by_label("Starts on", exact=True).fill("01-09-2027")
    page.get_by_label("Registration closes on", exact=True).fill("20-08-2027")
    page.get_by_label("Ends on", exact=True).fill("15-12-2027")
    page.get_by_label("Proctored exam window opens", exact=True).fill("05-01-2028")
    page.get_by_label("Proctored exam window closes", exact=True).fill("15-01-2028")
    page.get_by_label("Course fee (USD)", exact=True).fill("175")
    page.get_by_role("button", name="Add the course run").click()

    expect(page.locator(".flash--success")).to_contain_text("The course run was added: FDP starting 01-09-2027")
    row = page.locator("tr", has_text="Foundations of Development Policy").filter(has_text="05-01-2028 to 15-01-2028")
    expect(row).to_contain_text("USD 175.00")
    with site.db.sessions() as session:
        run = session.scalars(select(CourseRun).where(CourseRun.course_code == "FDP")).one()
        assert run.starts_on.isoformat() == "2027-09-01"


def test_dopt_reads_the_reports_and_downloads_a_table_as_csv_and_xlsx(people: People, statuses: Counter[str]) -> None:
    page = people.signed_in("dopt", bypass_csp=False)
    page.get_by_role("link", name="Reports").click()
    table = page.locator("#table-status")

    shown = {
        row.locator("th").inner_text().strip(): int(row.locator("td").get_attribute("data-value") or 0)
        for row in table.locator("tbody tr").all()
    }
    assert sorted(shown.values(), reverse=True) == sorted(statuses.values(), reverse=True)
    assert sum(shown.values()) == sum(statuses.values())
    # The chart was drawn by Chart.js under the page's own Content-Security-Policy.
    assert page.evaluate(
        "() => Chart.getChart(document.querySelector('canvas[data-chart-for=\"table-status\"]')) !== undefined"
    )
    screenshot(page, "reports.png")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name=re.compile(r"^Download CSV\s*: Applications by status$")).click()
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name=re.compile(r"^Download XLSX\s*: Applications by status$")).click()

    assert (csv_download.value.suggested_filename, xlsx_download.value.suggested_filename) == (
        "igot-status.csv",
        "igot-status.xlsx",
    )
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()), read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    assert {name: int(n) for name, n in rows[1:]} == shown
    assert {name: n for name, n in cells[1:]} == shown


def test_every_new_page_has_no_serious_accessibility_violation(
    people: People, site: Site, statuses: Counter[str]
) -> None:
    page = people.signed_in("dopt")
    found = {}
    for path in _new_pages(site):
        page.goto(path)
        violations = serious_violations(page)
        if violations:
            found[path] = violations

    assert found == {}


def test_every_new_page_fits_a_360_pixel_wide_screen(people: People, site: Site, statuses: Counter[str]) -> None:
    page = people.signed_in("dopt", viewport={"width": 360, "height": 740})
    too_wide = {}
    for path in _new_pages(site):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide[path] = width
    page.goto("/reports")
    screenshot(page, "reports-360px.png")

    assert too_wide == {}


def test_the_applications_list_is_searched_and_paged(people: People, statuses: Counter[str]) -> None:
    page: Page = people.signed_in("dopt")
    page.goto("/applications/all?per_page=20")
    expect(page.locator(".pagination")).to_contain_text(re.compile(r"Page 1 of \d+, 1\d\d applications"))

    page.get_by_label("Status", exact=True).select_option("reimbursed")
    page.get_by_role("button", name="Show").click()

    expect(page.locator(".pagination")).to_contain_text(f"{statuses['reimbursed']} applications")
    screenshot(page, "applications-list.png")
