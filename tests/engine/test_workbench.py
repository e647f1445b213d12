"""The process owner's workbench at the engine level: check without deploying, comments, versions,
rollback, instruction previews."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import deploy
from engine.errors import Conflict, DeployRefused, Forbidden, Invalid, NotFound
from engine.models import ProcessDefinition, User
from engine.services.process_versions import (
    instructions_preview,
    list_processes,
    list_versions,
    roll_back,
    validate_diagram,
)
from tests.engine.broken_processes import shipped
from tests.engine.deletions import without
from tests.engine.flow import Flow
from tests.factories import NOW, make_staff

THREE_DAYS = ('"P7D"', '"P3D"')


@pytest.fixture
def owner(db: Database) -> str:
    with db.sessions() as session, session.begin():
        return make_staff(session, "process_owner").username


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _versions(db: Database, key: str) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).where(ProcessDefinition.key == key)) or 0)


def test_a_valid_diagram_is_checked_with_every_scenario_and_nothing_is_stored(
    db: Database, settings: Settings, owner: str
) -> None:
    xml = shipped(settings, "cadre_approval").replace(*THREE_DAYS).encode()
    with db.sessions() as session, session.begin():
        report = validate_diagram(session, _user(session, owner), xml, settings.forms_dir)

    assert (report.key, report.valid, report.changed, report.problems) == ("cadre_approval", True, True, ())
    rehearsed = {(checked.result.process, checked.result.name) for checked in report.scenarios}
    assert ("cadre_approval", "reminded_then_approved") in rehearsed and ("enrollment", "reimbursed") in rehearsed
    assert all(checked.result.passed for checked in report.scenarios)
    assert _versions(db, "cadre_approval") == 1


def test_a_deleted_task_is_reported_at_the_elements_it_cut_off_and_nothing_is_stored(
    db: Database, settings: Settings, owner: str
) -> None:
    xml = without("cadre_approval", "request_cca_approval")
    with db.sessions() as session, session.begin():
        report = validate_diagram(session, _user(session, owner), xml, settings.forms_dir)

    assert not report.valid and report.scenarios == ()
    located = {problem.element for problem in report.problems}
    assert "cca_approval" in located  # reachable from nowhere once the task before it is gone
    assert all(problem.message.startswith(str(problem.element)) for problem in report.problems if problem.element)
    assert _versions(db, "cadre_approval") == 1


def test_a_failing_scenario_is_reported_with_the_element_where_it_failed(
    db: Database, settings: Settings, owner: str
) -> None:
    # The reminder now fires after 30 days: the escalation (14 days) always comes first.
    xml = shipped(settings, "cadre_approval").replace('"P7D"', '"P30D"').encode()
    with db.sessions() as session, session.begin():
        report = validate_diagram(session, _user(session, owner), xml, settings.forms_dir)

    assert not report.valid and report.problems == ()
    failed = {checked.result.name: checked for checked in report.scenarios if not checked.result.passed}
    assert failed["reminded_then_approved"].element == "approval_reminder"
    assert "reminded_then_approved" in str(failed["reminded_then_approved"].result.describe())
    assert any(checked.result.passed for checked in report.scenarios)


def test_a_file_that_is_no_bpmn_is_a_problem_without_an_element(db: Database, settings: Settings, owner: str) -> None:
    with db.sessions() as session, session.begin():
        report = validate_diagram(session, _user(session, owner), b"<not-bpmn/>", settings.forms_dir)

    assert (report.key, report.valid, [p.element for p in report.problems]) == (None, False, [None])


def test_only_process_owners_check_diagrams(db: Database, settings: Settings) -> None:
    with db.sessions() as session, session.begin():
        dopt = make_staff(session, "dopt")
        with pytest.raises(Forbidden):
            validate_diagram(session, dopt, shipped(settings, "cadre_approval").encode(), settings.forms_dir)


def test_a_deploy_keeps_its_comment_and_refuses_one_too_long(db: Database, settings: Settings) -> None:
    xml = shipped(settings, "cadre_approval").replace(*THREE_DAYS).encode()
    with db.sessions() as session, session.begin():
        with pytest.raises(Invalid) as long_comment:
            deploy(session, xml, "owner", settings.forms_dir, comment="x" * 501)
        assert list(long_comment.value.fields) == ["comment"]
        result = deploy(session, xml, "owner", settings.forms_dir, comment="  Remind after 3 days  ")
    with db.sessions() as session:
        stored = session.scalars(select(ProcessDefinition).where(ProcessDefinition.version == result.version)).all()
    assert [(d.key, d.comment, d.restores_version) for d in stored] == [("cadre_approval", "Remind after 3 days", None)]


def test_rolling_back_deploys_the_old_version_again_as_the_newest(db: Database, settings: Settings, owner: str) -> None:
    with db.sessions() as session, session.begin():
        deploy(session, shipped(settings, "cadre_approval").replace(*THREE_DAYS).encode(), owner, settings.forms_dir)
    with db.sessions() as session, session.begin():
        result, restored = roll_back(
            session, _user(session, owner), "cadre_approval", 1, "3 days is too soon", settings.forms_dir
        )

    assert (result.version, result.created, restored.version) == (3, True, 1)
    with db.sessions() as session:
        rows = {
            d.version: d
            for d in session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == "cadre_approval"))
        }
        assert (rows[3].sha256, rows[3].forms) == (rows[1].sha256, rows[1].forms)
        assert (rows[3].comment, rows[3].restores_version, rows[3].deployed_by) == ("3 days is too soon", 1, owner)
        with pytest.raises(Conflict):
            roll_back(session, _user(session, owner), "cadre_approval", 1, "again", settings.forms_dir)
        with pytest.raises(Invalid):
            roll_back(session, _user(session, owner), "cadre_approval", 2, " ", settings.forms_dir)
        with pytest.raises(NotFound):
            roll_back(session, _user(session, owner), "cadre_approval", 9, "no such", settings.forms_dir)
        with pytest.raises(Forbidden):
            roll_back(session, make_staff(session, "dopt"), "cadre_approval", 2, "not mine", settings.forms_dir)


def test_a_rollback_is_checked_like_any_deploy(db: Database, settings: Settings, owner: str) -> None:
    with db.sessions() as session, session.begin():
        # A version stored without the checks (as before scenarios existed) cannot come back.
        broken = without("cadre_approval", "request_cca_approval").decode()
        session.add(ProcessDefinition(key="cadre_approval", version=2, sha256="x" * 64, xml=broken, deployed_by="old"))
    with db.sessions() as session, session.begin():
        with pytest.raises(DeployRefused):
            roll_back(session, _user(session, owner), "cadre_approval", 2, "back to the old one", settings.forms_dir)
    assert _versions(db, "cadre_approval") == 2


def test_versions_count_the_live_applications_that_run_on_them(db: Database, settings: Settings, owner: str) -> None:
    flow = Flow(db, settings)
    flow.apply(flow.officer(), NOW)
    with db.sessions() as session, session.begin():
        deploy(session, shipped(settings, "cadre_approval").replace(*THREE_DAYS).encode(), owner, settings.forms_dir)
    flow.apply(flow.officer(), NOW)
    ended = flow.apply(flow.officer(service="OTHER"), NOW)  # ineligible: its process has ended

    with db.sessions() as session:
        user = _user(session, owner)
        counts = {row.definition.version: row.applications for row in list_versions(session, user, "cadre_approval")}
        processes = {
            row.key: (row.newest.version, row.versions, row.applications) for row in list_processes(session, user)
        }
        with pytest.raises(NotFound):
            list_versions(session, user, "no_such_process")
    assert flow.status(ended) == "ineligible"
    assert counts == {2: 1, 1: 1}
    assert processes["cadre_approval"] == (2, 2, 2) and processes["enrollment"] == (1, 1, 2)


def test_instructions_are_previewed_with_a_scenarios_data_or_given_data(
    db: Database, settings: Settings, owner: str
) -> None:
    template = "{{ officer.full_name }} ({{ officer.service }}) applied for {{ course.title }}."
    with db.sessions() as session:
        user = _user(session, owner)
        default, _data = instructions_preview(session, user, template)
        scenario, data = instructions_preview(session, user, template, None, "enrollment", "ineligible")
        given, _given = instructions_preview(session, user, "Hello {{ name }}", {"name": "<Asha>"})
        broken, _broken = instructions_preview(session, user, "{{ nobody.name }}")
        with pytest.raises(NotFound):
            instructions_preview(session, user, template, None, "enrollment", "no_such_scenario")
        with pytest.raises(Invalid):
            instructions_preview(session, user, template, ["not", "an", "object"])

    assert default == "Asha Verma (IAS) applied for The Challenges of Global Poverty."
    assert scenario == "Asha Verma (OTHER) applied for The Challenges of Global Poverty."
    assert data["officer"]["service"] == "OTHER"
    assert given == "Hello &lt;Asha&gt;"
    assert broken is not None and "nobody" in broken
