"""Every page, for every role, in Hindi: no English sentence left (GIGW 3.0, issue 9).

The demo data (engine.demo) gives real objects of every kind: applications resting in each
state, open tasks of each kind, course runs, coupons, a payment, process definitions,
users of every role. Every GET route of the web UI (from the app's url_map, the API and
file downloads aside) is walked with those objects by a user of each role, and by a visitor
who has not signed in, with Hindi chosen. The text a person reads (text nodes, and the
title, aria-label, placeholder and alt attributes) must not hold English words, except:

- what is data: names of people, courses, cadre controlling authorities and files, e-mail
  addresses, codes and identifiers (CGP, KA-DPAR, DOPT/TRG/DEMO/0001, gw_eligible),
  words people typed (a remark), and what a form shows to be edited (textarea, code);
- the language switch itself ("English", marked lang="en");
- the few words that are names in both languages (edX, DoPT, iGOT, IFSC, PDF, ...).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from lxml import html as lxml_html
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.demo import DEMO_PASSWORD, load_demo
from engine.models import (
    CCA,
    Application,
    Course,
    CourseRun,
    HumanTask,
    OutboxMail,
    ProcessDefinition,
    ProcessScenario,
    Upload,
    User,
)
from engine.services.password_reset import request_reset
from tests.factories import NOW
from tests.integration.ui import csrf_token

# One person of each role (engine.demo's users); None is a visitor who has not signed in.
PEOPLE = (None, "admin", "owner", "dopt", "courseteam", "finance", "cca.karnataka", "meera")

# Routes that send no page: static files, uploads, downloads (CSV, PDF, BPMN XML).
NOT_PAGES = {
    "static",
    "ui.portal.uploaded_file",
    "ui.processes.diagram_xml",
    "ui.payments.ledger_file",
    "ui.reports.table_file",
    "ui.applications.export",
}

# Names that read the same in Hindi pages (proper names, units and formats people know).
SAME_IN_BOTH = {
    "edX",
    "DoPT",
    "iGOT",
    "IFSC",
    "PDF",
    "PNG",
    "JPEG",
    "USD",
    "INR",
    "IST",
    "MB",
    "KB",
    "SHA-256",
    "BPMN",
    "XML",
    "CSV",
    "API",
    "PFMS",
    "DEDP",
    "DD-MM-YYYY",
    "YYYY-MM-DD",
    "HH:MM",
    "MicroMasters",
    "MITx",
    "igot",
    "init",
    "JavaScript",
    "Ctrl",  # key caps: Ctrl+Z, Delete
    "Delete",
    "null",  # JSON's literal, in the monitor's help on changing process data
    "verified",  # edX's "verified" track, named as the officer sees it on edX
}

# What the demo's people typed (remarks), shown as typed.
TYPED = ("Recommended.",)

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]")
CODE = re.compile(r"\S*[0-9_@/\\:=<>{}\[\]]\S*|\b[A-Z][A-Z0-9-]+\b|\S+\.(?:org|gov\.in|in|json|bpmn|pdf)\b|“[^”]*”")


@dataclass
class Walk:
    """What the walk saw: English left per page, and the routes that rendered."""

    english: dict[str, set[str]] = field(default_factory=dict)
    rendered: set[str] = field(default_factory=set)
    pages: int = 0


@pytest.fixture
def demo(db: Database, settings: Settings, backend: str) -> Database:
    if backend != "sqlite":
        pytest.skip("the pages are the same on both databases; the walk runs on SQLite")
    load_demo(db, settings, NOW)
    return db


def data_strings(db: Database) -> list[str]:
    """Every name, code and text of the demo data a page may show as it is, longest first."""
    with db.sessions() as session:
        found: set[str] = set(TYPED)
        for user in session.scalars(select(User)):
            found |= {user.username, user.email or ""}
            if user.officer is not None:
                found |= {
                    user.officer.full_name,
                    user.officer.designation,
                    user.officer.edx_username,
                    user.officer.email,
                }
        for cca in session.scalars(select(CCA)):
            found |= {cca.code, cca.name}
        for course in session.scalars(select(Course)):
            found |= {course.code, course.title, course.prerequisites or ""}
        for upload in session.scalars(select(Upload)):
            found.add(upload.original_name)
        for definition in session.scalars(select(ProcessDefinition)):
            found.add(definition.key)
        for scenario in session.scalars(select(ProcessScenario)):
            found.add(scenario.name)  # a file name a process owner chose
    return sorted((text for text in found if text), key=len, reverse=True)


def page_urls(app: Flask, db: Database) -> dict[str, list[str]]:
    """Every GET page of the UI (url rule -> URLs), its ids filled from the demo data."""
    with db.sessions() as session, session.begin():
        by_status = {app.status: app.id for app in session.scalars(select(Application).order_by(Application.id))}
        runs = list(session.scalars(select(CourseRun).order_by(CourseRun.starts_on)))
        request_reset(session, "meera@example.gov.in", NOW)
        reset_link = session.scalars(select(OutboxMail).where(OutboxMail.kind == "password_reset")).one()
        values: dict[str, list[object]] = {
            "application_id": sorted(by_status.values()),  # one in each state
            "task_id": list(session.scalars(select(HumanTask.id).where(HumanTask.state == "open"))),  # each kind
            "run_id": [runs[0].id, runs[-1].id],  # an ended run, an open one
            "username": ["admin", "asha"],
            "code": ["KA-DPAR", "CGP", "DEMO-CGP-001"],  # a CCA, a course, a coupon
            "key": sorted(set(session.scalars(select(ProcessDefinition.key)))),
            "version": [1],
            "filename": ["cca_approval.schema.json", "record_payment.schema.json", "submit_claim.schema.json"],
            "action": ["deactivate"],
            "name": ["approved", "paid"],  # scenarios of cadre_approval and reimbursement
            "token": [reset_link.payload["token"], "not-a-real-token"],
        }
    urls: dict[str, list[str]] = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.rule.startswith("/api") or rule.endpoint in NOT_PAGES:
                continue
            names = sorted(rule.arguments)
            assert all(name in values for name in names), f"no demo value for {rule.rule}: add one"
            urls[rule.rule] = [
                url_for(rule.endpoint, **dict(zip(names, combination, strict=True)))
                for combination in itertools.product(*(values[name] for name in names))
            ]
    return urls


def read_text(page: str) -> Iterator[str]:
    """The texts a person reads on the page, without what is edited or shown as code."""
    tree = lxml_html.fromstring(page)
    for hidden in tree.xpath("//script|//style|//template|//textarea|//pre|//code|//*[@lang='en']"):
        hidden.drop_tree()
    yield from tree.itertext()
    for element in tree.iter():
        if isinstance(element.tag, str):
            for name in ("title", "aria-label", "placeholder", "alt"):
                if element.get(name):
                    yield element.get(name)


def english_in(text: str, data: list[str]) -> str | None:
    """What is left of `text` in English once data, codes and shared names are taken out."""
    for known in data:
        if known in text:
            text = text.replace(known, " ")
    text = CODE.sub(" ", text)
    words = [word for word in LATIN_WORD.findall(text) if word not in SAME_IN_BOTH and len(word) > 1]
    return " ".join(words) or None


def sign_in_in_hindi(app: Flask, username: str | None) -> FlaskClient:
    client = app.test_client()
    if username is not None:
        data = {"csrf_token": csrf_token(client, "/sign-in"), "username": username, "password": DEMO_PASSWORD}
        assert client.post("/sign-in", data=data).status_code == 302, username
    data = {"csrf_token": csrf_token(client, "/courses"), "next": "/"}
    assert client.post("/language/hi", data=data).status_code == 302
    return client


def walk(app: Flask, db: Database, urls: dict[str, list[str]]) -> Walk:
    """Every page of `urls` for every person, in Hindi."""
    data = data_strings(db)
    seen = Walk()
    for person in PEOPLE:
        client = sign_in_in_hindi(app, person)
        for rule, addresses in urls.items():
            for address in addresses:
                response = client.get(address)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                seen.rendered.add(rule)
                seen.pages += 1
                assert '<html lang="hi">' in response.text, address
                for text in read_text(response.text):
                    left = english_in(text, data)
                    if left:
                        seen.english.setdefault(f"{person} {address}", set()).add(left)
    return seen


def summary(seen: Walk) -> str:
    """English left, by text, with one page where it shows."""
    where: dict[str, str] = {}
    for page, texts in seen.english.items():
        for text in texts:
            where.setdefault(text, page)
    return f"{len(where)} English texts:\n" + "\n".join(f"{text!r} on {page}" for text, page in sorted(where.items()))


def test_every_page_for_every_role_reads_in_hindi(app: Flask, demo: Database) -> None:
    urls = page_urls(app, demo)

    seen = walk(app, demo, urls)

    assert seen.english == {}, summary(seen)
    assert seen.rendered == set(urls), "a page rendered for no one: give the walk an object for it"
    assert seen.pages > 200


def test_the_walk_finds_english_where_there_is_some() -> None:
    data = ["Asha Rao", "KA-DPAR"]

    assert english_in("Asha Rao (KA-DPAR) ने आवेदन किया", data) is None
    assert english_in("DOPT/TRG/DEMO/0001 · USD 100.00 · asha_edx", data) is None
    assert english_in("Approve sends the application on", data) == "Approve sends the application on"
    assert english_in("आवेदन Remarks", data) == "Remarks"
