"""Whatever a script raises becomes a recorded step failure; the timer worker goes on and backs off."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.errors import StepFailed
from engine.incidents import timer_backoff
from engine.models import Application, AuditEntry, Incident, ProcessInstance
from engine.runtime import new_workflow, run_engine
from engine.sandbox import SandboxedEnvironment
from tests.engine.bpmn_samples import script_process
from tests.engine.broken_processes import (
    BASE_EXCEPTIONS,
    STUCK_CCA,
    add_stuck_cca,
    deploy_text,
    failing_for_stuck_cca,
    failure_words,
    shipped,
)
from tests.engine.flow import Flow
from tests.engine.test_sandbox_at_run_time import _bundle
from tests.factories import NOW
from webapp.cli import main as igot

REMINDER_DUE = NOW + timedelta(days=7, minutes=1)


@pytest.mark.parametrize("kind", list(BASE_EXCEPTIONS))
def test_any_exception_of_a_script_fails_the_step_naming_the_element(kind: str) -> None:
    script = f"before = 1\nif before == 1:\n    {BASE_EXCEPTIONS[kind]}\n"
    workflow = new_workflow(_bundle(script_process(script), "sample"), {}, SandboxedEnvironment())
    with pytest.raises(StepFailed) as failure:
        run_engine(workflow, lambda _w: None, None)
    assert failure.value.element == "the_script"
    assert failure_words(kind) in failure.value.message


@pytest.mark.parametrize("kind", ["ValueError", "SystemExit", "KeyboardInterrupt", "GeneratorExit"])
def test_a_base_exception_is_worded_like_any_other_error(kind: str) -> None:
    script = f"before = 1\nif before == 1:\n    raise {kind}('the run is closed')\n"
    workflow = new_workflow(_bundle(script_process(script), "sample"), {}, SandboxedEnvironment())
    with pytest.raises(StepFailed) as failure:
        run_engine(workflow, lambda _w: None, None)
    assert failure.value.message == f"the_script: {kind}: the run is closed."


def _stuck_reminders(db: Database, settings: Settings, statement: str) -> Flow:
    with db.sessions() as session, session.begin():
        add_stuck_cca(session)
        xml = failing_for_stuck_cca(shipped(settings, "cadre_approval"), "remind_cca", statement)
        assert deploy_text(session, settings, xml) == 2
    return Flow(db, settings, cca=STUCK_CCA)


def _timer_fired(db: Database, application_id: int) -> bool:
    with db.sessions() as session:
        query = select(AuditEntry.id).where(
            AuditEntry.application_id == application_id, AuditEntry.action == "timer_fired"
        )
        return session.scalars(query).first() is not None


@pytest.mark.parametrize("kind", list(BASE_EXCEPTIONS))
def test_timer_round_records_the_failure_and_goes_on_with_the_next_instance(
    db: Database, settings: Settings, kind: str
) -> None:
    flow = _stuck_reminders(db, settings, BASE_EXCEPTIONS[kind])
    stuck = flow.apply(flow.officer(cca=STUCK_CCA), NOW)
    fine = flow.apply(flow.officer(), NOW + timedelta(seconds=30))

    assert flow.timers(REMINDER_DUE) == 1

    assert _timer_fired(db, fine) and not _timer_fired(db, stuck)
    with db.sessions() as session:
        incident = session.scalars(select(Incident)).one()
    assert (incident.application_id, incident.element, incident.count) == (stuck, "remind_cca", 1)
    assert incident.action == {"kind": "fire_timers"} and failure_words(kind) in incident.message
    assert flow.open_tasks(stuck) == ["cca_approval"]


def test_igot_timers_survives_a_script_raising_system_exit(db: Database, settings: Settings) -> None:
    flow = _stuck_reminders(db, settings, "raise SystemExit")
    stuck = flow.apply(flow.officer(cca=STUCK_CCA), NOW)
    fine = flow.apply(flow.officer(), NOW + timedelta(seconds=30))
    env = {"IGOT_DATABASE_URL": settings.database_url, "IGOT_INSTANCE_PATH": str(settings.instance_path)}

    result = CliRunner().invoke(igot, ["timers", "--now", REMINDER_DUE.isoformat()], env=env)

    assert result.exit_code == 0, result.output
    assert "1 instance(s) moved by timers" in result.output
    assert _timer_fired(db, fine) and not _timer_fired(db, stuck)


def _incident(db: Database) -> Incident:
    with db.sessions() as session:
        return session.scalars(select(Incident)).one()


def _next_due(db: Database, application_id: int) -> datetime:
    with db.sessions() as session:
        application = session.get_one(Application, application_id)
        due = session.get_one(ProcessInstance, application.instance_id).next_due_at
    assert due is not None
    return due


def test_ten_failed_rounds_make_one_incident_counted_ten_times_with_back_off(db: Database, settings: Settings) -> None:
    flow = _stuck_reminders(db, settings, 'note = reminder_note["text"]')
    stuck = flow.apply(flow.officer(cca=STUCK_CCA), NOW)
    moment = REMINDER_DUE
    for round_number in range(1, 11):
        assert flow.timers(moment) == 0
        incident = _incident(db)
        assert (incident.count, incident.last_at) == (round_number, moment)
        backoff = timer_backoff(round_number)
        assert _next_due(db, stuck) == moment + backoff
        # Inside the back-off the worker leaves the instance alone.
        assert flow.timers(moment + backoff - timedelta(seconds=1)) == 0
        assert _incident(db).count == round_number
        moment += backoff + timedelta(seconds=1)
    assert [timer_backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 8, 10)] == [1, 2, 4, 60, 60, 60]
    assert (incident.first_at, incident.element, incident.resolved_at) == (REMINDER_DUE, "remind_cca", None)
    assert "reminder_note" in incident.message
