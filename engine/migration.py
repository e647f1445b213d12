"""Moving a running instance onto other deployed versions of its processes.

SpiffWorkflow's own `SpiffWorkflow.bpmn.util.diff` aligns the instance's tasks with the
new specs (`diff_workflow`, for the top process and each called process the instance
has entered) and `migrate_workflow` swaps the specs and resets every READY and WAITING
task so that it runs on the new definition. Around it this module adds what an
application needs:

- a refusal (Conflict) when the instance's position, or an element it has been
  through, does not exist in the new versions, or when a called process it is inside
  is no longer called: the instance would not load again otherwise;
- the data of the tasks the instance waits at, which the reset would replace with the
  data of their parents (so a repair of the process data survives a migration);
- waiting timers: SpiffWorkflow restarts every one from the moment of the migration.
  A timer whose definition did not change keeps its deadline; one that changed gets
  the deadline the new definition gives counted from when the wait began (noted by
  `runtime.note_waiting_timers`), as if the instance had run on the new version.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task, TaskState

from engine.bpmn_parser import SPEC_CONVERTERS
from engine.definitions import SpecBundle
from engine.errors import Conflict
from engine.runtime import WAITING_SINCE, engine_clock, step_failures, timer_deadline

AT_POSITION = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


@dataclass(frozen=True)
class _Kept:
    """What a task the instance waits at had before the migration."""

    data: dict[str, Any]
    internal_data: dict[str, Any]
    timer: Any


@dataclass
class MigrationResult:
    """For the history: the instance's elements whose definition changed, and the timers given a new deadline."""

    changed: list[str] = field(default_factory=list)
    timers: dict[str, str | None] = field(default_factory=dict)


def migrate(workflow: BpmnWorkflow, target: SpecBundle, now: datetime, label: str) -> MigrationResult:
    """Move `workflow` (in memory) onto the specs of `target`; `label` names the target in refusals.

    Raises Conflict with the reason when the instance cannot be carried over, and
    StepFailed when evaluating a changed timer's expression fails; in both cases the
    workflow must be thrown away, not saved.
    """
    # Our spec classes (timers, multi-instance, joins) must be known, or diffs miss their changes.
    registry = BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, **SPEC_CONVERTERS})
    top_diff, sub_diffs = diff_workflow(registry, workflow, target.spec, target.subprocess_specs)
    names = {sub_id: sub.spec.name for sub_id, sub in workflow.subprocesses.items()}
    for sub_id, diff in sub_diffs.items():
        if diff is None:
            where = "has been through" if workflow.subprocesses[sub_id].completed else "is inside"
            raise Conflict(f"the application {where} process '{names[sub_id]}', which {label} does not call")
    _refuse_changed_open_tasks(workflow, target, label)
    result = MigrationResult(changed=_changed_elements([top_diff, *sub_diffs.values()]))
    kept = _keep(workflow, registry)
    with step_failures():
        with engine_clock(now):
            migrate_workflow(top_diff, workflow, target.spec)
            for sub_id, sub in workflow.subprocesses.items():
                migrate_workflow(sub_diffs[sub_id], sub, target.subprocess_specs[names[sub_id]])
        workflow.subprocess_specs = dict(target.subprocess_specs)
        _settle_predictions(workflow, label)
        result.timers = _restore(workflow, kept, registry, now)
    return result


def _refuse_changed_open_tasks(workflow: BpmnWorkflow, target: SpecBundle, label: str) -> None:
    """Refuse (Conflict) when a user task the application waits at changes who works it or what
    it asks in `target`: its lane (the role whose inbox holds it) or its form file.

    The open task was given to a role and opened with a form; people may be working it
    already, and the steps after it read what that form gathers. Such a change applies to
    new applications, or to this one once the task is done. A task the target lacks (removed,
    or its id renamed) is refused later, naming the task (_settle_predictions).
    """
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        process = task.workflow.spec.name
        spec = target.spec if process == target.spec.name else target.subprocess_specs.get(process)
        new = spec.task_specs.get(task.task_spec.name) if spec is not None else None
        if new is None:
            continue
        changes = []
        old_lane, new_lane = getattr(task.task_spec, "lane", None), getattr(new, "lane", None)
        if old_lane != new_lane:
            changes.append(f"its lane from {old_lane or 'none'} to {new_lane or 'none'}")
        old_form, new_form = _form_file(task.task_spec), _form_file(new)
        if old_form != new_form:
            changes.append(f"its form from {old_form or 'none'} to {new_form or 'none'}")
        if changes:
            raise Conflict(
                f"the application waits at {_name(task)}, and {label} changes {' and '.join(changes)}: "
                "complete that task first, or leave this application on its version"
            )


def _form_file(spec: Any) -> str | None:
    properties = (getattr(spec, "extensions", None) or {}).get("properties", {})
    form: str | None = properties.get("formJsonSchemaFilename")
    return form


def _changed_elements(diffs: list[WorkflowDiff]) -> list[str]:
    return sorted({task.task_spec.name for diff in diffs for task in diff.changed})


def _keep(workflow: BpmnWorkflow, registry: Any) -> dict[UUID, _Kept]:
    kept = {}
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        timer = registry.convert(definition) if isinstance(definition, TimerEventDefinition) else None
        kept[task.id] = _Kept(deepcopy(task.data), deepcopy(task.internal_data), timer)
    return kept


def _belongs(task: Task) -> bool:
    return bool(task.workflow.spec.task_specs.get(task.task_spec.name) is task.task_spec)


def _name(task: Task) -> str:
    spec = task.task_spec
    bpmn_name = getattr(spec, "bpmn_name", None)
    return f"'{bpmn_name}' ({spec.name})" if bpmn_name else f"'{spec.name}'"


def _settle_predictions(workflow: BpmnWorkflow, label: str) -> None:
    """Predict again what follows each running call activity; refuse what cannot be carried over.

    The children of a call activity under way are only predictions of what follows it,
    made on the old version; they are made again on the new one (migrate_workflow resets
    READY and WAITING tasks only). Then every task must run on a spec of the new versions.
    """
    for task in workflow.get_tasks(state=TaskState.STARTED):
        if isinstance(task.task_spec, SubWorkflowTask) and _belongs(task):
            for child in list(task.children):
                task.workflow._remove_task(child.id)
            task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)
    lost = [task for task in workflow.get_tasks(state=TaskState.ANY_MASK) if not _belongs(task)]
    for task in lost:
        if task.has_state(AT_POSITION):
            raise Conflict(f"the application is at {_name(task)}, which {label} does not have")
    for task in workflow.get_tasks(state=TaskState.READY, manual=False):
        raise Conflict(f"the application waits at {_name(task)}, which in {label} is not a task people work")
    for task in lost:
        if task.has_state(TaskState.FINISHED_MASK):
            raise Conflict(f"the application has been through {_name(task)}, which {label} does not have")
        raise Conflict(f"what follows {_name(task)} cannot be carried over to {label}")


def _restore(workflow: BpmnWorkflow, kept: dict[UUID, _Kept], registry: Any, now: datetime) -> dict[str, str | None]:
    """Give back each waiting task its data, and each timer its deadline; return the recomputed timers."""
    recomputed: dict[str, str | None] = {}
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        saved = kept.get(task.id)
        if saved is None:
            continue
        definition = getattr(task.task_spec, "event_definition", None)
        if saved.timer is not None and isinstance(definition, TimerEventDefinition):
            if registry.convert(definition) == saved.timer:
                task.internal_data = deepcopy(saved.internal_data)
            else:
                _restart_timer(task, definition, saved.internal_data.get(WAITING_SINCE), now)
                deadline = timer_deadline(task)
                recomputed[task.task_spec.name] = deadline.isoformat() if deadline else None
        else:
            task.internal_data = deepcopy(saved.internal_data)
        task.data = deepcopy(saved.data)
    return recomputed


def _restart_timer(task: Task, definition: TimerEventDefinition, since: Any, now: datetime) -> None:
    """Compute a changed timer's deadline as if it had started waiting at `since` (else now)."""
    began = datetime.fromisoformat(since) if isinstance(since, str) else now
    if began.tzinfo is None:
        began = began.replace(tzinfo=UTC)
    with engine_clock(began):
        task.internal_data = {WAITING_SINCE: began.astimezone(UTC).isoformat()}
        if isinstance(definition, CycleTimerEventDefinition):
            definition.cycle_complete(task)
        else:
            definition.has_fired(task)
