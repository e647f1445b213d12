"""Moving a running application to another deployed version: timers follow the new diagram, or it is refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import bundle_by_ids
from engine.errors import Conflict, Invalid
from engine.models import Application, AuditEntry, HumanTask, Notification, ProcessInstance, User
from engine.runtime import current_data, load_workflow
from engine.sandbox import SandboxedEnvironment
from engine.services.repair import migrate_application, patch_process_data
from tests.engine.broken_processes import approval_task_renamed, deploy_text, shipped, store_unchecked
from tests.engine.flow import Flow
from tests.factories import NOW, make_staff

DAY = timedelta(days=1)


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    return Flow(db, settings)


@pytest.fixture
def owner(db: Database) -> str:
    with db.sessions() as session, session.begin():
        return make_staff(session, "process_owner").username


def _migrate(db: Database, owner: str, application_id: int, at: datetime, **body: Any) -> Application:
    with db.sessions() as session, session.begin():
        user = session.scalars(select(User).where(User.username == owner)).one()
        return migrate_application(session, user, application_id, {"reason": "follow the new rules"} | body, at)


def _reminders(db: Database, application_id: int) -> int:
    with db.sessions() as session:
        subjects = session.scalars(select(Notification.subject).where(Notification.application_id == application_id))
        return sum(1 for subject in subjects if subject.startswith("Reminder:"))


def _task(db: Database, application_id: int) -> HumanTask:
    with db.sessions() as session:
        return session.scalars(
            select(HumanTask).where(HumanTask.application_id == application_id, HumanTask.state == "open")
        ).one()


def test_three_day_reminder_applies_to_new_and_migrated_applications(
    flow: Flow, db: Database, settings: Settings, owner: str
) -> None:
    before = flow.apply(flow.officer(), NOW)
    kept_on_old = flow.apply(flow.officer(), NOW)
    task_before = _task(db, before)
    xml = shipped(settings, "cadre_approval").replace('"P7D"', '"P3D"')
    with db.sessions() as session, session.begin():
        assert deploy_text(session, settings, xml) == 2
    new = flow.apply(flow.officer(), NOW + DAY)

    _migrate(db, owner, before, NOW + DAY, process="cadre_approval", version=2)

    # The task stayed the same task, now due on day 3 counted from when it opened.
    assert _task(db, before).id == task_before.id
    assert _task(db, before).due_at == NOW + 3 * DAY
    flow.timers(NOW + 3 * DAY + timedelta(minutes=1))
    assert (_reminders(db, before), _reminders(db, kept_on_old), _reminders(db, new)) == (1, 0, 0)
    flow.timers(NOW + 4 * DAY + timedelta(minutes=1))
    assert (_reminders(db, before), _reminders(db, kept_on_old), _reminders(db, new)) == (1, 0, 1)
    flow.timers(NOW + 7 * DAY + timedelta(minutes=1))
    assert (_reminders(db, before), _reminders(db, kept_on_old), _reminders(db, new)) == (1, 1, 1)
    # The escalation did not change, so it kept its deadline: day 14, not day 15.
    flow.timers(NOW + 14 * DAY + timedelta(minutes=1))
    assert flow.open_tasks(before) == ["escalated_approval"]
    assert flow.open_tasks(new) == ["cca_approval"]
    with db.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.application_id == before, AuditEntry.action == "migrated")
        ).one()
    assert (entry.actor, entry.detail["reason"]) == (owner, "follow the new rules")
    assert entry.detail["from"]["cadre_approval"] == 1 and entry.detail["to"]["cadre_approval"] == 2
    assert entry.detail["changed"] == ["approval_reminder"]
    assert entry.detail["timers"] == {"approval_reminder": (NOW + 3 * DAY).isoformat()}


def test_refused_when_the_task_the_application_waits_at_is_not_in_that_version(
    flow: Flow, db: Database, settings: Settings, owner: str
) -> None:
    application_id = flow.apply(flow.officer(), NOW)
    xml = approval_task_renamed(shipped(settings, "cadre_approval"))
    instance_id = _task(db, application_id).instance_id
    with db.sessions() as session, session.begin():
        version = store_unchecked(session, "cadre_approval", xml)
        state_before = session.get_one(ProcessInstance, instance_id).state

    with pytest.raises(Conflict) as refused:
        _migrate(db, owner, application_id, NOW + DAY, process="cadre_approval", version=version)

    assert "'Approve nomination' (cca_approval)" in refused.value.message
    assert f"version {version} of cadre_approval does not have" in refused.value.message
    with db.sessions() as session:
        assert session.get_one(ProcessInstance, instance_id).state == state_before
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "approve"})
    assert flow.status(application_id) == "awaiting_dopt_confirmation"


LANE_CHANGED = (
    ("<bpmn:flowNodeRef>cca_approval</bpmn:flowNodeRef>", ""),
    (
        "<bpmn:flowNodeRef>escalated_approval</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>escalated_approval</bpmn:flowNodeRef><bpmn:flowNodeRef>cca_approval</bpmn:flowNodeRef>",
    ),
)
FORM_CHANGED = (
    (
        '<spiffworkflow:property name="formJsonSchemaFilename" value="cca_approval.schema.json" />',
        '<spiffworkflow:property name="formJsonSchemaFilename" value="dopt_confirmation.schema.json" />',
    ),
)


@pytest.mark.parametrize(
    ("replacements", "said"),
    [
        (LANE_CHANGED, "changes its lane from CCA to DoPT"),
        (FORM_CHANGED, "changes its form from cca_approval.schema.json to dopt_confirmation.schema.json"),
        (LANE_CHANGED + FORM_CHANGED, "changes its lane from CCA to DoPT and its form from cca_approval"),
    ],
)
def test_refused_when_that_version_changes_the_lane_or_the_form_of_the_waiting_task(
    flow: Flow, db: Database, settings: Settings, owner: str, replacements: tuple[tuple[str, str], ...], said: str
) -> None:
    application_id = flow.apply(flow.officer(), NOW)
    xml = shipped(settings, "cadre_approval")
    for old, new in replacements:
        assert old in xml
        xml = xml.replace(old, new, 1)
    with db.sessions() as session, session.begin():
        version = store_unchecked(session, "cadre_approval", xml)

    with pytest.raises(Conflict) as refused:
        _migrate(db, owner, application_id, NOW + DAY, process="cadre_approval", version=version)

    assert "waits at 'Approve nomination' (cca_approval)" in refused.value.message
    assert f"version {version} of cadre_approval {said}" in refused.value.message
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "approve"})
    assert flow.status(application_id) == "awaiting_dopt_confirmation"


def test_a_new_step_after_the_call_activity_is_taken_once_the_called_process_ends(
    flow: Flow, db: Database, settings: Settings, owner: str
) -> None:
    application_id = flow.apply(flow.officer(), NOW)
    xml = shipped(settings, "enrollment")
    xml = xml.replace(
        '<bpmn:sequenceFlow id="flow_cadre_done" sourceRef="cadre_approval_call" targetRef="gw_cadre_approved" />',
        '<bpmn:sequenceFlow id="flow_cadre_done" sourceRef="cadre_approval_call" targetRef="note_cadre_result" />'
        '<bpmn:scriptTask id="note_cadre_result" name="Note the cadre result" scriptFormat="python">'
        "<bpmn:incoming>flow_cadre_done</bpmn:incoming><bpmn:outgoing>flow_cadre_noted</bpmn:outgoing>"
        "<bpmn:script>cadre_result_noted = cadre_outcome</bpmn:script></bpmn:scriptTask>"
        '<bpmn:sequenceFlow id="flow_cadre_noted" sourceRef="note_cadre_result" targetRef="gw_cadre_approved" />',
    )
    xml = xml.replace(
        "<bpmn:incoming>flow_cadre_done</bpmn:incoming>\n      <bpmn:outgoing>flow_cadre_yes",
        "<bpmn:incoming>flow_cadre_noted</bpmn:incoming>\n      <bpmn:outgoing>flow_cadre_yes",
    )
    with db.sessions() as session, session.begin():
        assert deploy_text(session, settings, xml) == 2

    _migrate(db, owner, application_id, NOW, version=2)
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "approve"})

    assert flow.status(application_id) == "awaiting_dopt_confirmation"
    assert _process_data(db, application_id)["cadre_result_noted"] == "approved"


def _process_data(db: Database, application_id: int) -> dict[str, Any]:
    with db.sessions() as session:
        application = session.get_one(Application, application_id)
        instance = session.get_one(ProcessInstance, application.instance_id)
        bundle = bundle_by_ids(session, instance.process_key, instance.bundle)
        return current_data(load_workflow(instance.state, bundle, SandboxedEnvironment()))


def test_a_data_repair_survives_a_migration(flow: Flow, db: Database, settings: Settings, owner: str) -> None:
    application_id = flow.apply(flow.officer(), NOW)
    with db.sessions() as session, session.begin():
        user = session.scalars(select(User).where(User.username == owner)).one()
        patch_process_data(session, user, application_id, {"approval_register": {"next": 17}}, "register", NOW)
        deploy_text(session, settings, shipped(settings, "cadre_approval").replace('"P7D"', '"P3D"'))

    _migrate(db, owner, application_id, NOW + DAY, process="cadre_approval", version=2)

    assert _process_data(db, application_id)["approval_register"] == {"next": 17}


def test_unknown_version_and_the_same_versions_are_refused(flow: Flow, db: Database, owner: str) -> None:
    application_id = flow.apply(flow.officer(), NOW)
    with pytest.raises(Invalid) as unknown:
        _migrate(db, owner, application_id, NOW, process="cadre_approval", version=9)
    assert "version" in unknown.value.fields
    with pytest.raises(Conflict) as same:
        _migrate(db, owner, application_id, NOW, version=1)
    assert "already runs on version 1 of enrollment" in same.value.message
