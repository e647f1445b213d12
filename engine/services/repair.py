"""Repairing a stuck application: change its process data, move it to another version (or see
first what that would change), hold it, cancel it.

Each repair takes the acting user (roles checked through engine.access), gives a reason,
flushes only, and leaves an entry in the application's history with who, when and why.
"""

from __future__ import annotations

import json
import keyword
import math
import re
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import can_operate, can_repair
from engine.bpmn.bundle import SpecBundle
from engine.definitions import bundle_for_migration
from engine.errors import Conflict, Forbidden, Invalid, NotFound, StepFailed
from engine.i18n import N_, Message
from engine.incidents import open_incidents, resolve
from engine.migration import MigrationResult, migrate
from engine.models import Application, AuditEntry, HumanTask, ProcessDefinition, ProcessInstance, User
from engine.runtime import current_data
from engine.statuses import CANCELLED, is_final, status_label
from engine.steps import cancel, load, lock_instance, save_repaired

MAX_REASON = 500
MAX_KEYS = 50
MAX_DATA_BYTES = 64 * 1024
MAX_DEPTH = 8
READ_ONLY_KEYS = frozenset({"application_id"})
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_JSON_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "true or false"),
    ((int, float), "a number"),
    (str, "a text"),
    (list, "a list"),
    (dict, "an object"),
)


def checked_reason(reason: Any, required: bool = True) -> str:
    """The reason an operator gives for a repair: text of 1 to 500 characters (Invalid otherwise)."""
    if reason is None and not required:
        return ""
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid(N_("Give a reason"), {"reason": N_("Say why (it goes into the application's history)")})
    if len(reason) > MAX_REASON:
        raise Invalid(
            N_("The reason is too long"),
            {"reason": Message(N_("At most %(count)s characters"), {"count": MAX_REASON}).text()},
        )
    return reason.strip()


def _application(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(f"application {application_id} not found")
    return application


def _live_instance(session: Session, application: Application) -> ProcessInstance:
    if application.instance_id is None:
        raise Conflict(N_("the process of this application has not started; retry its incident to start it"))
    instance = lock_instance(session, application.instance_id)
    if instance.status not in ("running", "suspended"):
        raise Conflict(_process_is(instance.status))
    return instance


def _audit(
    session: Session, user: User, application: Application, action: str, now: datetime, detail: dict[str, Any]
) -> None:
    session.add(
        AuditEntry(
            at=now,
            actor=user.username,
            action=action,
            application_id=application.id,
            instance_id=application.instance_id,
            detail=detail,
        )
    )


def patch_process_data(
    session: Session, user: User, application_id: int, data: Any, reason: Any, now: datetime
) -> tuple[Application, dict[str, Any]]:
    """Change top-level keys of an application's process data where its process waits.

    The change applies to the data of every task the instance rests at (the user tasks
    and timers it waits on, and the call activities it is inside), so the next step
    reads it. Rules: `data` is a JSON object of plain data (null, true/false, numbers,
    texts, lists, objects; at most 50 keys, 8 levels, 64 KB); a key the data has keeps
    its JSON type (null may replace, or be replaced by, anything); a new key must be a
    name a script can read (a letter, then letters, digits or `_`; not a Python
    keyword); `application_id` cannot change. Returns the application and the process
    data as it now stands. Raises Forbidden (process owners only), NotFound, Invalid,
    Conflict (the process has ended or not started) or StepFailed (its state cannot be read).
    """
    if not can_repair(user):
        raise Forbidden("Only process owners may change an application's process data")
    why = checked_reason(reason)
    application = _application(session, application_id)
    _check_plain_data(data)
    instance = _live_instance(session, application)
    workflow = load(session, instance, application, user.username, now)
    before = current_data(workflow)
    resting = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
    # Every task the change lands in is checked, whichever of them changed last.
    for task in resting:
        _check_keys(data, {**before, **task.data})
    for task in resting:
        task.data.update(deepcopy(data))
    save_repaired(session, instance, workflow, application, now)
    changes = {key: {"before": before.get(key), "after": value} for key, value in data.items()}
    _audit(session, user, application, "data_changed", now, {"reason": why, "changes": changes})
    session.flush()
    return application, current_data(workflow)


def _check_plain_data(data: Any) -> None:
    if not isinstance(data, dict) or not data:
        raise Invalid("Send the keys to change", {"data": "An object with the keys to change and their new values"})
    fields: dict[str, str] = {}
    if len(data) > MAX_KEYS:
        fields["data"] = f"At most {MAX_KEYS} keys at a time"
    for key, value in data.items():
        problem = _plain_problem(value, 1)
        if problem:
            fields[f"data.{key}"] = problem
    if not fields and len(json.dumps(data)) > MAX_DATA_BYTES:
        fields["data"] = f"At most {MAX_DATA_BYTES // 1024} KB of JSON"
    if fields:
        raise Invalid("The data cannot be used", fields)


def _plain_problem(value: Any, depth: int) -> str | None:
    """Why a value is not plain JSON data, or None."""
    if depth > MAX_DEPTH:
        return f"Nested more than {MAX_DEPTH} levels"
    if value is None or isinstance(value, bool | str):
        return None
    if isinstance(value, int | float):
        return None if math.isfinite(value) else "Numbers must be finite"
    if isinstance(value, list):
        return next((p for p in (_plain_problem(item, depth + 1) for item in value) if p), None)
    if isinstance(value, dict):
        return next((p for p in (_plain_problem(item, depth + 1) for item in value.values()) if p), None)
    return "Only plain JSON data"


def _json_type(value: Any) -> str | None:
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), None)


def _check_keys(data: dict[str, Any], current: dict[str, Any]) -> None:
    fields: dict[str, str] = {}
    for key, value in data.items():
        if key in READ_ONLY_KEYS:
            fields[f"data.{key}"] = "This key cannot be changed"
        elif key in current:
            old, new = _json_type(current[key]), _json_type(value)
            if old is not None and new is not None and old != new:
                fields[f"data.{key}"] = f"This key holds {old}; give {old} (or null)"
        elif not _NAME.match(key) or keyword.iskeyword(key):
            fields[f"data.{key}"] = "A new key must be a name scripts can read: a letter, then letters, digits or _"
    if fields:
        raise Invalid("Some keys cannot be changed", fields)


def migrate_application(
    session: Session, user: User, application_id: int, body: dict[str, Any], now: datetime
) -> Application:
    """Move an application's process to another deployed version (`body`: version, reason, process).

    `process` (default: the application's own process, `enrollment`) names which of the
    processes the instance runs is moved to `version`; the others keep their versions.
    Raises Forbidden (process owners only), NotFound, Invalid (no such version) or
    Conflict with the reason when the instance cannot be carried over (its position
    does not exist there, it already runs on those versions, its process has ended).
    """
    if not can_repair(user):
        raise Forbidden("Only process owners may move an application to another version")
    why = checked_reason(body.get("reason"))
    application = _application(session, application_id)
    instance = _live_instance(session, application)
    target, label = _target(session, instance, body)
    before = _versions(session, instance.bundle)
    workflow = load(session, instance, application, user.username, now)
    result = _migrated(workflow, target, now, label)
    save_repaired(session, instance, workflow, application, now, bundle=target)
    detail = {
        "reason": why,
        "from": before,
        "to": _versions(session, list(target.definition_ids)),
        "changed": result.changed,
        "timers": result.timers,
    }
    _audit(session, user, application, "migrated", now, detail)
    session.flush()
    return application


@dataclass(frozen=True)
class MigrationPreview:
    """What moving an application to other versions would do, found by doing it in memory only.

    `versions_from` and `versions_to`: process key -> version, before and after; `changed`:
    the elements of the instance whose definition differs; `timers`: the waiting timers that
    would get a new deadline (element -> ISO 8601 moment).
    """

    versions_from: dict[str, int]
    versions_to: dict[str, int]
    changed: list[str]
    timers: dict[str, str | None]


def preview_migration(
    session: Session, user: User, application_id: int, body: dict[str, Any], now: datetime
) -> MigrationPreview:
    """The dry run of `migrate_application` (`body`: version, process): engine.migration moves the
    instance's workflow in memory, and nothing is saved.

    Raises as `migrate_application` does, the Conflict included when the move would be refused.
    """
    if not can_repair(user):
        raise Forbidden("Only process owners may move an application to another version")
    application = _application(session, application_id)
    if application.instance_id is None:
        raise Conflict(N_("the process of this application has not started; retry its incident to start it"))
    instance = session.get(ProcessInstance, application.instance_id)
    if instance is None or instance.status not in ("running", "suspended"):
        raise Conflict(_process_is(instance.status if instance else "gone"))
    target, label = _target(session, instance, body)
    workflow = load(session, instance, application, user.username, now)
    result = _migrated(workflow, target, now, label)
    return MigrationPreview(
        _versions(session, instance.bundle),
        _versions(session, list(target.definition_ids)),
        result.changed,
        result.timers,
    )


def _target(session: Session, instance: ProcessInstance, body: dict[str, Any]) -> tuple[SpecBundle, str]:
    process = body.get("process", instance.process_key)
    version = body.get("version")
    if not isinstance(process, str) or not process:
        raise Invalid(N_("Name the process"), {"process": N_("A process key, e.g. cadre_approval")})
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise Invalid(N_("Give the version"), {"version": N_("A version number (1, 2, ...)")})
    label = f"version {version} of {process}"
    try:
        target = bundle_for_migration(session, instance.process_key, instance.bundle, process, version)
    except NotFound as error:
        raise Invalid(f"{process} has no version {version}", {"version": error.message}) from error
    except ValueError as error:
        raise Invalid(str(error), {"process": str(error)}) from error
    except (ValidationException, SpiffWorkflowException) as error:
        raise Conflict(f"{label} cannot be read: {error}") from error
    if target.definition_ids == tuple(sorted(instance.bundle)):
        raise Conflict(f"the application already runs on {label}")
    return target, label


def _migrated(workflow: BpmnWorkflow, target: SpecBundle, now: datetime, label: str) -> MigrationResult:
    try:
        return migrate(workflow, target, now, label)
    except StepFailed as error:
        raise Conflict(f"{label} cannot take over this application: {error.message}") from error


def _versions(session: Session, definition_ids: list[int]) -> dict[str, int]:
    rows = session.execute(
        select(ProcessDefinition.key, ProcessDefinition.version).where(ProcessDefinition.id.in_(definition_ids))
    )
    return {str(key): int(version) for key, version in rows}


def suspend_application(session: Session, user: User, application_id: int, reason: Any, now: datetime) -> Application:
    """Hold an application: its tasks cannot be completed and its timers do not fire until resumed.

    Its inbox rows stay, marked suspended. Raises Forbidden (dopt, process_owner),
    NotFound, Invalid (no reason) or Conflict (not running: already suspended, ended).
    """
    return _hold(session, user, application_id, reason, now, suspend=True)


def resume_application(session: Session, user: User, application_id: int, reason: Any, now: datetime) -> Application:
    """Let a suspended application go on; timers that fell due meanwhile fire at the next round.

    Raises Forbidden (dopt, process_owner), NotFound, Invalid (no reason) or Conflict (not suspended).
    """
    return _hold(session, user, application_id, reason, now, suspend=False)


def cancel_application(session: Session, user: User, application_id: int, reason: Any, now: datetime) -> Application:
    """Stop an application for good, as DoPT: its process is cancelled, its tasks leave every
    inbox, its open incidents close, and its status becomes `cancelled`.

    Raises Forbidden (dopt, process_owner), NotFound, Invalid (no reason), Conflict (already
    final) or StepFailed (the cancellation itself failed).
    """
    if not can_operate(user):
        raise Forbidden("Only DoPT and process owners may cancel an application")
    why = checked_reason(reason)
    application = _application(session, application_id)
    if is_final(application.status):
        raise Conflict(
            Message(N_("the application is already %(status)s"), {"status": status_label(application.status)}).text()
        )
    if application.instance_id is not None:
        instance = _live_instance(session, application)
        cancel(session, instance, application, user.username, now)
    application.status = CANCELLED
    application.updated_at = now
    for incident in open_incidents(session, application.id):
        resolve(incident, user.username, "the application was cancelled", now)
    _audit(session, user, application, "cancelled", now, {"reason": why})
    session.flush()
    return application


def _hold(session: Session, user: User, application_id: int, reason: Any, now: datetime, suspend: bool) -> Application:
    if not can_operate(user):
        raise Forbidden("Only DoPT and process owners may suspend or resume an application")
    why = checked_reason(reason)
    application = _application(session, application_id)
    instance = _live_instance(session, application)
    if suspend and instance.status == "suspended":
        raise Conflict(N_("the application is already suspended"))
    if not suspend and instance.status != "suspended":
        raise Conflict(N_("the application is not suspended"))
    instance.status = "suspended" if suspend else "running"
    instance.updated_at = now
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "open"))
    for row in rows:
        row.suspended = suspend
    _audit(session, user, application, "suspended" if suspend else "resumed", now, {"reason": why})
    session.flush()
    return application


INSTANCE_STATES = {
    "running": N_("running"),
    "suspended": N_("suspended"),
    "completed": N_("completed"),
    "error": N_("stopped by an error"),
    "cancelled": N_("cancelled"),
    "gone": N_("gone"),
}
"""The states of a process instance, in words (a refusal names the one it met)."""


def _process_is(state: str) -> str:
    """'the process of this application is <state>', keeping its Message (engine.i18n.Text)."""
    word = Message(INSTANCE_STATES[state]) if state in INSTANCE_STATES else state
    return Message(N_("the process of this application is %(state)s"), {"state": word}).text()
