"""The operator's console at the engine level: the monitor's filters, an instance's trace,
the migration's dry run and cancelling an application."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bootstrap import Database
from engine.config import Settings
from engine.errors import Conflict, Forbidden, Invalid, StepFailed
from engine.incidents import record_incident
from engine.models import AuditEntry, HumanTask, Incident, ProcessInstance, User
from engine.services.instance_trace import ACTIVE, COMPLETED, FAILED, instance_view
from engine.services.monitor import MonitorFilter, monitor_applications, read_monitor_filter
from engine.services.repair import cancel_application, preview_migration
from tests.engine.broken_processes import STUCK_CCA, add_stuck_cca, deploy_text, failing_for_stuck_cca, shipped
from tests.engine.flow import Flow
from tests.factories import NOW, forget_scenarios, make_staff

DAY = timedelta(days=1)


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    with db.sessions() as session, session.begin():
        add_stuck_cca(session)
    return Flow(db, settings)


@pytest.fixture
def owner(db: Database) -> str:
    with db.sessions() as session, session.begin():
        return make_staff(session, "process_owner").username


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _listed(db: Database, username: str, at: object = NOW, **filters: object) -> list[int]:
    with db.sessions() as session:
        rows, total = monitor_applications(session, _user(session, username), MonitorFilter(**filters), at, 50, 0)  # type: ignore[arg-type]
    assert total == len(rows)
    return [row.application.id for row in rows]


def _stuck_on_approval(db: Database, settings: Settings, flow: Flow) -> int:
    """An application whose CCA approval fails in record_approval (an incident), on cadre_approval v2."""
    forget_scenarios(db)
    with db.sessions() as session, session.begin():
        xml = failing_for_stuck_cca(shipped(settings, "cadre_approval"), "record_approval", "raise ValueError('no')")
        assert deploy_text(session, settings, xml) == 2
        hp = make_staff(session, "cca_approver", STUCK_CCA).username
    stuck = flow.apply(flow.officer(cca=STUCK_CCA), NOW)
    with pytest.raises(StepFailed) as failure:
        flow.complete(hp, stuck, "cca_approval", {"decision": "approve"})
    record_incident(db.sessions, failure.value, NOW)
    return stuck


def test_the_monitor_filters_by_version_incident_status_and_age(
    db: Database, settings: Settings, flow: Flow, owner: str
) -> None:
    on_first = flow.apply(flow.officer(), NOW - 10 * DAY)
    ineligible = flow.apply(flow.officer(service="OTHER"), NOW)
    stuck = _stuck_on_approval(db, settings, flow)

    assert set(_listed(db, owner)) == {on_first, ineligible, stuck}
    # An instance binds the versions of what it calls when it starts, whether it reaches them or not.
    assert set(_listed(db, owner, process="cadre_approval", version=1)) == {on_first, ineligible}
    assert _listed(db, owner, process="cadre_approval", version=2) == [stuck]
    assert set(_listed(db, owner, process="enrollment", version=1)) == {on_first, ineligible, stuck}
    assert _listed(db, owner, has_incident=True) == [stuck]
    assert stuck not in _listed(db, owner, has_incident=False)
    assert _listed(db, owner, status="ineligible") == [ineligible]
    assert _listed(db, owner, min_age_days=7) == [on_first]
    assert _listed(db, owner, cca=STUCK_CCA) == [stuck]
    assert _listed(db, owner, course_run_id=flow.run_id + 1) == []
    # Longest wait at the current step first.
    assert _listed(db, owner)[0] == on_first


def test_the_monitor_is_for_operators_and_reads_its_filters_strictly(db: Database, flow: Flow) -> None:
    with db.sessions() as session:
        with pytest.raises(Forbidden):
            monitor_applications(session, _user(session, flow.cca_approver), MonitorFilter(), NOW, 50, 0)
    assert read_monitor_filter({"process": "cadre_approval", "version": "2", "incident": "1"}) == MonitorFilter(
        process="cadre_approval", version=2, has_incident=True
    )
    with pytest.raises(Invalid) as bad:
        read_monitor_filter({"version": "two", "incident": "maybe", "min_age_days": "-1", "status": "a b"})
    assert set(bad.value.fields) == {"version", "incident", "min_age_days", "status"}
    with pytest.raises(Invalid) as orphan:
        read_monitor_filter({"version": "2"})
    assert list(orphan.value.fields) == ["version"]


def test_the_instance_shows_what_ran_what_waits_and_what_failed(
    db: Database, settings: Settings, flow: Flow, owner: str
) -> None:
    stuck = _stuck_on_approval(db, settings, flow)

    with db.sessions() as session:
        view = instance_view(session, _user(session, owner), stuck, NOW)

    assert (view.processes[0].key, view.processes[0].version) == ("enrollment", 1)
    traces = {trace.key: trace.elements for trace in view.processes}
    assert traces["enrollment"]["check_eligibility_task"].state == COMPLETED
    assert traces["enrollment"]["check_eligibility_task"].runs == 1
    assert traces["enrollment"]["cadre_approval_call"].state == ACTIVE
    assert traces["cadre_approval"]["cca_approval"].state == ACTIVE
    assert traces["cadre_approval"]["record_approval"].state == FAILED
    assert "dopt_confirmation" not in traces.get("coupon_issue", {})
    assert view.incident is not None and view.incident.element == "record_approval"
    assert view.data is not None and view.data["officer"]["cca"] == STUCK_CCA
    assert view.versions["cadre_approval"] == [1, 2] and view.open_tasks == ["cca_approval"]


def test_the_migration_dry_run_says_what_would_change_and_saves_nothing(
    db: Database, settings: Settings, flow: Flow, owner: str
) -> None:
    application_id = flow.apply(flow.officer(), NOW)
    with db.sessions() as session, session.begin():
        deploy_text(session, settings, shipped(settings, "cadre_approval").replace('"P7D"', '"P3D"'))
        instance_id = session.scalars(
            select(HumanTask.instance_id).where(HumanTask.application_id == application_id)
        ).one()
        before = session.get_one(ProcessInstance, instance_id).state

    with db.sessions() as session:
        user = _user(session, owner)
        preview = preview_migration(
            session, user, application_id, {"process": "cadre_approval", "version": 2}, NOW + DAY
        )
        with pytest.raises(Conflict):
            preview_migration(session, user, application_id, {"version": 1}, NOW + DAY)
        with pytest.raises(Forbidden):
            preview_migration(session, _user(session, flow.dopt), application_id, {"version": 1}, NOW)

    assert (preview.versions_from["cadre_approval"], preview.versions_to["cadre_approval"]) == (1, 2)
    assert preview.changed == ["approval_reminder"]
    assert preview.timers == {"approval_reminder": (NOW + 3 * DAY).isoformat()}
    with db.sessions() as session:
        assert session.get_one(ProcessInstance, instance_id).state == before


def test_dopt_cancels_an_application_with_a_reason(db: Database, settings: Settings, flow: Flow) -> None:
    stuck = _stuck_on_approval(db, settings, flow)

    with db.sessions() as session, session.begin():
        dopt = _user(session, flow.dopt)
        with pytest.raises(Invalid):
            cancel_application(session, dopt, stuck, "", NOW)
        cancel_application(session, dopt, stuck, "The officer left the service", NOW + DAY)

    assert (flow.status(stuck), flow.open_tasks(stuck)) == ("cancelled", [])
    with db.sessions() as session:
        incident = session.scalars(select(Incident).where(Incident.application_id == stuck)).one()
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.application_id == stuck, AuditEntry.action == "cancelled")
        ).one()
        assert incident.resolved_at is not None
        assert (entry.actor, entry.detail["reason"]) == (flow.dopt, "The officer left the service")
        with pytest.raises(Conflict):
            cancel_application(session, _user(session, flow.dopt), stuck, "again", NOW + DAY)
        with pytest.raises(Forbidden):
            cancel_application(session, _user(session, flow.cca_approver), stuck, "not mine", NOW + DAY)
