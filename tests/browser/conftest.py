"""A real server and Debian's chromium for the browser tests (never a browser download).

One server, one database and one browser per test module keep the tests fast; each
test opens its own browser contexts (one per person), so cookies never leak between them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from engine.bootstrap import Database, init, open_database
from engine.config import PROJECT_ROOT, Settings
from engine.models import Coupon, HumanTask, User
from engine.services.applications import submit_application
from engine.services.people import create_user, register_officer
from engine.services.reference import create_course_run
from tests.factories import NOW, officer_body
from webapp import create_app
from webapp.core.database import db as web_db

PASSWORD = "secret-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RUN = {"course": "CGP", "starts_on": "2027-03-01", "registration_closes_on": "2027-02-20", "ends_on": "2027-06-15"}
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
AXE_PATHS = (
    PROJECT_ROOT / "webapp" / "static" / "vendor" / "axe-core" / "axe.min.js",
    PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js",
)


@dataclass
class Site:
    """The running server, its database, and helpers to set up data without the browser."""

    url: str
    db: Database
    run_id: int

    def add_officer(self, username: str, full_name: str, **profile: str) -> None:
        body = officer_body(username, password=PASSWORD, full_name=full_name, **profile)
        with self.db.sessions() as session, session.begin():
            register_officer(session, body, NOW.date())

    def add_staff(self, username: str, roles: list[str], cca: str | None = None) -> None:
        with self.db.sessions() as session, session.begin():
            create_user(session, username, PASSWORD, roles, cca)

    def apply(self, username: str) -> int:
        with self.db.sessions() as session, session.begin():
            user = session.scalars(select(User).where(User.username == username)).one()
            return submit_application(session, user, self.run_id, True, NOW).id

    def add_coupon(self, code: str) -> None:
        with self.db.sessions() as session, session.begin():
            session.add(Coupon(code=code, course_run_id=self.run_id, added_by="courseteam"))

    def task_id(self, application_id: int, name: str) -> str:
        with self.db.sessions() as session:
            query = select(HumanTask.id).where(
                HumanTask.application_id == application_id, HumanTask.name == name, HumanTask.state == "open"
            )
            return str(session.scalars(query).one())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The application served by werkzeug on a free port of 127.0.0.1, on a fresh SQLite file."""
    folder = tmp_path_factory.mktemp("browser")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'igot.sqlite3'}",
        instance_path=folder,
        processes_dir=PROJECT_ROOT / "processes",
        forms_dir=PROJECT_ROOT / "forms",
        upload_dir=folder / "uploads",
    )
    database = open_database(settings)
    init(settings, database)
    with database.sessions() as session, session.begin():
        create_user(session, "cca.ias", PASSWORD, ["cca_approver"], "DOPT-IAS")
        create_user(session, "dopt", PASSWORD, ["dopt"])
        create_user(session, "courseteam", PASSWORD, ["course_team"])
        run_id = create_course_run(session, RUN).id
    app = create_app({"DATABASE_URL": settings.database_url, "INSTANCE_PATH": folder, "TESTING": True, "IGOT_NOW": NOW})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", database, run_id)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            web_db.engine.dispose()
        database.engine.dispose()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


class People:
    """Opens one browser context per person (a person's own cookies), closed after the test."""

    def __init__(self, browser: Browser, site: Site) -> None:
        self.browser = browser
        self.site = site
        self.contexts: list[BrowserContext] = []

    def page(self, **options: Any) -> Page:
        # bypass_csp lets the tests inject axe-core; the pages themselves allow no inline script.
        # A test of the policy itself passes bypass_csp=False.
        options = {"bypass_csp": True, **options}
        context = self.browser.new_context(base_url=self.site.url, **options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return context.new_page()

    def signed_in(self, username: str, **options: Any) -> Page:
        page = self.page(**options)
        page.goto("/sign-in")
        page.get_by_label("Username", exact=True).fill(username)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser: Browser, site: Site) -> Iterator[People]:
    opened = People(browser, site)
    yield opened
    opened.close()


def axe_source() -> str:
    for path in AXE_PATHS:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError("axe-core is missing: run `make setup`")


def serious_violations(page: Page) -> list[str]:
    """axe-core's violations of impact serious or critical on the page, one line each."""
    page.add_script_tag(content=axe_source())
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{item['id']} ({item['impact']}): {item['help']} at {[node['target'] for node in item['nodes']]}"
        for item in violations
        if item["impact"] in ("serious", "critical")
    ]


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
