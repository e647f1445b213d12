"""Saving steps: versions bound at start, small state, failed steps leave nothing, races lose cleanly."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import deploy
from engine.errors import Conflict, StepFailed
from engine.models import Application, HumanTask, Incident, ProcessInstance, User
from engine.runtime import state_json
from engine.services.tasks import complete_task
from tests.engine.flow import Flow
from tests.factories import NOW, forget_scenarios


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    return Flow(db, settings)


def _instance(db: Database, application_id: int) -> ProcessInstance:
    with db.sessions() as session:
        application = session.get_one(Application, application_id)
        return session.get_one(ProcessInstance, application.instance_id)


def test_stored_state_is_a_few_kilobytes_without_the_spec(flow: Flow, db: Database) -> None:
    application_id = flow.apply(flow.officer())
    stored = _instance(db, application_id).state
    assert len(stored) < 5_000
    state = state_json(stored)
    assert "task_specs" not in state and "cca_approval.schema.json" not in state


def _redeploy_cadre_approval(db: Database, settings: Settings) -> None:
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    changed = xml.replace('"P7D"', '"P6D"')
    assert changed != xml
    with db.sessions() as session, session.begin():
        assert deploy(session, changed.encode(), "owner", settings.forms_dir).version == 2


def test_instance_stays_on_the_versions_it_started_on(flow: Flow, db: Database, settings: Settings) -> None:
    before = flow.apply(flow.officer())
    _redeploy_cadre_approval(db, settings)
    after = flow.apply(flow.officer())
    flow.timers(NOW + timedelta(days=6, minutes=1))
    # Only the new application has the 6-day reminder; the old one keeps 7 days.
    reminders = flow.notifications(flow.cca_approver)
    assert len(reminders) == 3  # two requests and one reminder
    assert _instance(db, before).bundle != _instance(db, after).bundle


def _deploy_changed(db: Database, settings: Settings, old: str, new: str) -> None:
    """Deploy cadre_approval broken on purpose (no scenario is left to refuse it)."""
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    assert old in xml
    forget_scenarios(db)
    with db.sessions() as session, session.begin():
        deploy(session, xml.replace(old, new).encode(), "owner", settings.forms_dir)


def test_failing_script_keeps_the_last_good_state(flow: Flow, db: Database, settings: Settings) -> None:
    _deploy_changed(db, settings, 'cadre_outcome = "approved"', 'cadre_outcome = missing_name + "approved"')
    application_id = flow.apply(flow.officer())
    state_before = _instance(db, application_id).state
    with pytest.raises(StepFailed):
        flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "approve"})
    assert _instance(db, application_id).state == state_before
    assert flow.status(application_id) == "awaiting_cadre_approval"
    assert flow.open_tasks(application_id) == ["cca_approval"]


def test_failing_first_step_keeps_the_application_without_a_process(
    flow: Flow, db: Database, settings: Settings
) -> None:
    _deploy_changed(db, settings, '"P7D"', "undefined_name")
    application_id = flow.apply(flow.officer())
    with db.sessions() as session:
        application = session.get_one(Application, application_id)
        assert (application.status, application.instance_id) == ("submitted", None)
        assert session.scalar(select(func.count(ProcessInstance.id))) == 0
        assert session.scalar(select(func.count(HumanTask.id))) == 0
        incident = session.scalars(select(Incident)).one()
    assert incident.application_id == application_id and incident.action == {
        "kind": "start_process",
        "process": "enrollment",
        "actor": application.officer.username,
    }
    assert "undefined_name" in incident.message and incident.element == "approval_reminder"


def test_failed_timer_step_is_recorded_as_an_incident_and_retried(flow: Flow, db: Database, settings: Settings) -> None:
    _deploy_changed(db, settings, "Reminder: ", "Reminder: " + '" + broken_name + "')
    application_id = flow.apply(flow.officer())
    assert flow.timers(NOW + timedelta(days=8)) == 0
    with db.sessions() as session:
        assert session.scalar(select(func.count(Incident.id))) == 1
    assert flow.open_tasks(application_id) == ["cca_approval"]


def test_same_task_completed_twice_concurrently_moves_the_instance_once(
    backend: str, flow: Flow, db: Database, settings: Settings
) -> None:
    if backend != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL's row locks")
    application_id = flow.apply(flow.officer())
    with db.sessions() as session:
        task_id = session.scalars(select(HumanTask.id).where(HumanTask.application_id == application_id)).one()
        version_before = _instance(db, application_id).version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def complete() -> None:
        try:
            with db.sessions() as session, session.begin():
                user = session.scalars(select(User).where(User.username == flow.cca_approver)).one()
                barrier.wait()
                complete_task(session, user, task_id, {"decision": "approve"}, settings.forms_dir, NOW)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert _instance(db, application_id).version == version_before + 1
    assert flow.status(application_id) == "awaiting_dopt_confirmation"
    with db.sessions() as session:
        completed = session.scalars(
            select(func.count()).select_from(HumanTask).where(HumanTask.name == "dopt_confirmation")
        ).one()
        assert completed == 1
        assert session.scalar(select(func.count(Incident.id))) == 0
