"""Pages in Hindi on a 360-pixel phone (the officer's application page, a task form with errors, the
inbox): they fit, axe-core finds nothing serious, and a screenshot is kept for reviewers."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import People, Site, screenshot, serious_violations

pytestmark = pytest.mark.browser


def test_officers_application_page_in_hindi_at_360_pixels(people: People, site: Site) -> None:
    site.add_officer("meena", "Meena Kumari")
    application_id = site.apply("meena")
    page = people.signed_in("meena", viewport={"width": 360, "height": 740})

    page.get_by_role("button", name="हिन्दी").click()
    page.goto(f"/applications/{application_id}")

    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.locator(".status-panel__label")).to_have_text("संवर्ग नियंत्रण प्राधिकारी के अनुमोदन की प्रतीक्षा")
    screenshot(page, "application-hindi-360px.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []


def in_hindi(page: Page) -> None:
    """Choose Hindi with the header's switch, unless the account already chose it."""
    if page.locator("html").get_attribute("lang") != "hi":
        page.get_by_role("button", name="हिन्दी").click()


def test_task_form_with_errors_in_hindi_at_360_pixels(people: People, site: Site) -> None:
    site.add_officer("sunita", "Sunita Sharma")
    application_id = site.apply("sunita")
    page = people.signed_in("cca.ias", viewport={"width": 360, "height": 740})
    in_hindi(page)
    page.goto(f"/tasks/{site.task_id(application_id, 'cca_approval')}")

    page.get_by_role("radio", name="स्पष्टीकरण के लिए अधिकारी को लौटाएँ").check()
    page.get_by_role("button", name="जमा करें").click()

    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#field-remarks-error")).to_contain_text("अपनी टिप्पणी दें")
    expect(page.locator(".instructions")).to_contain_text("ने The Challenges")
    screenshot(page, "task-form-errors-hindi-360px.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []


def test_inbox_in_hindi_at_360_pixels(people: People, site: Site) -> None:
    site.add_officer("ravi", "Ravi Menon")
    site.apply("ravi")
    page = people.signed_in("cca.ias", viewport={"width": 360, "height": 740})
    in_hindi(page)
    page.goto("/inbox")

    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_have_text("इनबॉक्स")
    expect(page.get_by_role("link", name="नामांकन का अनुमोदन करें").first).to_be_visible()
    screenshot(page, "inbox-hindi-360px.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
