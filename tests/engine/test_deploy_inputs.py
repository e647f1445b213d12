"""Deploy takes BPMN as other tools write it (encodings, unquoted timer literals) and refuses,
naming the element, what would not run as drawn (DOCTYPEs, invalid timers, joins on loops)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import bundle_for_new_instance, deploy
from engine.errors import DeployRefused
from engine.models import ProcessDefinition
from tests.engine.diagrams import (
    Flow,
    Node,
    diagram,
    multi_instance_review,
    parallel_reviews_in_a_loop,
    timer_diagram,
    user_task,
)
from tests.engine.flow import Flow as ApplicationFlow
from tests.factories import NOW

GERMAN = "Prüfung durch Behörde"


def _deploy(db: Database, settings: Settings, xml: bytes) -> tuple[str, int, bool]:
    with db.sessions() as session, session.begin():
        result = deploy(session, xml, "tester", settings.forms_dir)
        return result.key, result.version, result.created


def _refusal(db: Database, settings: Settings, xml: bytes) -> str:
    with pytest.raises(DeployRefused) as caught:
        _deploy(db, settings, xml)
    return "\n".join(caught.value.details)


@pytest.fixture
def sqlite_db(backend: str, request: pytest.FixtureRequest) -> Database:
    """The database, for checks that do not depend on which one it is (run once, on SQLite)."""
    if backend != "sqlite":
        pytest.skip("timer checks at deploy do not depend on the database")
    database: Database = request.getfixturevalue("db")
    return database


def _stored(db: Database, key: str) -> ProcessDefinition:
    with db.sessions() as session:
        return session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)).one()


def german_review(encoding: str = "UTF-8", key: str = "pruefung") -> bytes:
    """A one-task diagram whose names need more than ASCII, its declaration naming `encoding`."""
    nodes = [
        Node("start", "startEvent", 0, "Antrag eingegangen"),
        user_task("pruefung", 1, "CCA", "cca_approval.schema.json", GERMAN),
        Node("end", "endEvent", 2, "Geprüft"),
    ]
    xml = diagram(key, nodes, [Flow("f1", "start", "pruefung"), Flow("f2", "pruefung", "end")], GERMAN)
    return xml.decode("utf-8").replace('encoding="UTF-8"', f'encoding="{encoding}"', 1).encode("utf-8")


def encoded(xml: bytes, codec: str) -> bytes:
    return xml.decode("utf-8").encode(codec)


@pytest.mark.parametrize(
    ("declared", "codec"),
    [("ISO-8859-1", "latin-1"), ("windows-1252", "cp1252"), ("UTF-16", "utf-16"), ("UTF-8", "utf-8-sig")],
)
def test_file_in_a_declared_encoding_deploys_with_names_intact_stored_as_utf8(
    db: Database, settings: Settings, declared: str, codec: str
) -> None:
    assert _deploy(db, settings, encoded(german_review(declared), codec)) == ("pruefung", 1, True)
    stored = _stored(db, "pruefung")
    assert GERMAN in stored.xml and stored.xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert stored.sha256 == hashlib.sha256(stored.xml.encode("utf-8")).hexdigest()


def test_the_same_diagram_in_another_encoding_is_the_same_version(db: Database, settings: Settings) -> None:
    assert _deploy(db, settings, german_review()) == ("pruefung", 1, True)
    assert _deploy(db, settings, encoded(german_review("windows-1252"), "cp1252")) == ("pruefung", 1, False)


def test_undeclared_latin1_is_refused_saying_how_to_fix_it(db: Database, settings: Settings) -> None:
    xml = german_review().decode("utf-8").replace(' encoding="UTF-8"', "")
    details = _refusal(db, settings, xml.encode("latin-1"))
    assert "not UTF-8 and does not say which encoding" in details and "line" in details


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE bpmn:definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE bpmn:definitions [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
        '<!DOCTYPE bpmn:definitions SYSTEM "http://example.com/bpmn.dtd">',
    ],
)
def test_a_doctype_is_refused_by_name(db: Database, settings: Settings, doctype: str) -> None:
    xml = german_review().decode("utf-8").replace("?>\n", f"?>\n{doctype}\n", 1)
    details = _refusal(db, settings, xml.encode("utf-8"))
    assert "DOCTYPE" in details and "remove it" in details
    with db.sessions() as session:
        assert session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == "pruefung")).first() is None


@pytest.mark.parametrize("where", ["boundary", "intermediate", "start"])
@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("timeDuration", "P7D"),
        ("timeDuration", '"P7D"'),
        ("timeCycle", "R3/PT1H"),
        ("timeCycle", "R5/PT10S"),
        ("timeDate", "2027-01-15T10:00:00+05:30"),
        ("timeDate", 'course_run["result_due_at"]'),
    ],
)
def test_timer_written_as_modellers_write_it_deploys(
    sqlite_db: Database, settings: Settings, where: str, kind: str, value: str
) -> None:
    assert _deploy(sqlite_db, settings, timer_diagram(where, kind, value))[2]


def test_stored_xml_keeps_the_timer_as_the_owner_wrote_it(db: Database, settings: Settings) -> None:
    _deploy(db, settings, timer_diagram("boundary", "timeDuration", "P7D"))
    assert 'tFormalExpression">P7D</bpmn:timeDuration>' in _stored(db, "timed").xml


@pytest.mark.parametrize(("where", "event"), [("boundary", "reminder"), ("intermediate", "wait"), ("start", "start")])
@pytest.mark.parametrize(
    ("kind", "value", "says"),
    [
        ("timeDuration", '"PT1D"', "write P1D"),
        ("timeDuration", "PT1D", "write P1D"),
        ("timeDuration", "R5/PT10S", "draw a timeCycle"),
        ("timeCycle", "0 0 9 * * ?", "cron expression, which is not supported"),
        ("timeCycle", '"0 9 * * MON-FRI"', "cron expression, which is not supported"),
        ("timeDate", "2027-01-15T10:00:00", "write 2027-01-15T10:00:00+05:30"),
        ("timeDate", '"P7D"', "draw a timeDuration"),
    ],
)
def test_invalid_timer_is_refused_naming_the_event_and_what_to_write(
    sqlite_db: Database, settings: Settings, where: str, event: str, kind: str, value: str, says: str
) -> None:
    details = _refusal(sqlite_db, settings, timer_diagram(where, kind, value))
    assert details.startswith(f"{event}: timer {kind}: ") and says in details


def test_parallel_join_a_loop_leads_back_into_is_refused_with_the_loop(db: Database, settings: Settings) -> None:
    details = _refusal(db, settings, parallel_reviews_in_a_loop())
    assert details.startswith("join_reviews: this parallel join is on a loop (join_reviews -> returned -> ")
    assert "respond_clarification -> to_review -> split_reviews" in details and "one after the other" in details


def test_inclusive_join_on_a_loop_is_refused(db: Database, settings: Settings) -> None:
    xml = parallel_reviews_in_a_loop().decode("utf-8").replace("parallelGateway", "inclusiveGateway")
    assert "join_reviews: this inclusive join is on a loop" in _refusal(db, settings, xml.encode("utf-8"))


def test_parallel_join_without_a_loop_deploys(db: Database, settings: Settings) -> None:
    xml = parallel_reviews_in_a_loop().decode("utf-8")
    xml = xml.replace(
        'sourceRef="respond_clarification" targetRef="to_review"',
        'sourceRef="respond_clarification" targetRef="done"',
    )
    assert _deploy(db, settings, xml.encode("utf-8")) == ("parallel_reviews", 1, True)


def test_multi_instance_review_a_loop_leads_back_into_deploys(db: Database, settings: Settings) -> None:
    assert _deploy(db, settings, multi_instance_review(loop=True))[2]


def test_multi_instance_task_is_named_by_its_bpmn_id_in_refusals(db: Database, settings: Settings) -> None:
    xml = multi_instance_review(loop=False).replace(b"cca_approval.schema.json", b"missing.schema.json")
    details = _refusal(db, settings, xml)
    assert "review: form 'missing.schema.json' does not exist" in details and "[child]" not in details


def test_camunda_style_unquoted_reminder_deploys_and_reminds_on_day_7(db: Database, settings: Settings) -> None:
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    unquoted = xml.replace('>"P7D"<', ">P7D<").replace('>"P14D"<', ">P14D<")
    assert unquoted.count(">P7D<") == 1 and unquoted.count(">P14D<") == 1
    assert _deploy(db, settings, unquoted.encode("utf-8")) == ("cadre_approval", 2, True)
    flow = ApplicationFlow(db, settings)
    application_id = flow.apply(flow.officer())

    assert flow.timers(NOW + timedelta(days=6, hours=23)) == 0
    flow.timers(NOW + timedelta(days=7, minutes=1))
    assert len(flow.notifications(flow.cca_approver)) == 2  # the request, then the reminder
    flow.timers(NOW + timedelta(days=14, minutes=1))
    assert flow.open_tasks(application_id) == ["escalated_approval"]


def test_a_version_stored_with_a_doctype_before_they_were_refused_still_runs(db: Database, settings: Settings) -> None:
    doctype = '<!DOCTYPE bpmn:definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    xml = german_review().decode("utf-8").replace("?>\n", f"?>\n{doctype}\n", 1)
    with db.sessions() as session, session.begin():
        session.add(ProcessDefinition(key="pruefung", version=1, sha256="0" * 64, xml=xml, deployed_by="earlier"))
    with db.sessions() as session:
        assert bundle_for_new_instance(session, "pruefung").spec.name == "pruefung"
    assert "DOCTYPE" in _refusal(db, settings, xml.encode("utf-8"))
