"""The officer's application page in Hindi on a 360-pixel phone: fits, axe-core clean, screenshot."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
