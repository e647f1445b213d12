"""Loading, running and saving process instances: one step from wait state to wait state.

The spec is kept out of each instance's state (it is stored once per deployed version
and cached parsed), the sandboxed script engine is attached on every load, and a step
either saves a consistent state with version + 1 or raises and leaves nothing behind.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task, TaskState

from engine.definitions import SpecBundle
from engine.errors import StepFailed
from engine.sandbox import SandboxedEnvironment, SandboxError, step_budget


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Serializes a workflow without its spec; the spec comes back from the bundle."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], bundle: SpecBundle | None = None) -> BpmnWorkflow:
        if bundle is None:
            raise ValueError("a spec bundle is needed to restore a workflow")
        dct = dict(dct)
        dct["spec"] = None
        workflow = self.target_class(bundle.spec, bundle.subprocess_specs, deserializing=True)
        from uuid import UUID

        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


_local = threading.local()


def _serializer() -> BpmnWorkflowSerializer:
    # A serializer keeps per-call state, so each thread gets its own.
    serializer = getattr(_local, "serializer", None)
    if serializer is None:
        config = dict(SPIFF_CONFIG)
        config[BpmnWorkflow] = _SpeclessWorkflowConverter
        serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
        _local.serializer = serializer
    return serializer


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """The instance's state: JSON without the spec, gzipped (20 KB of JSON becomes about 3 KB)."""
    return gzip.compress(str(_serializer().serialize_json(workflow)).encode("utf-8"), compresslevel=6)


def state_json(state: bytes) -> str:
    """The stored state as readable JSON (for operators and tests)."""
    return gzip.decompress(state).decode("utf-8")


def load_workflow(state: bytes, bundle: SpecBundle, environment: SandboxedEnvironment) -> BpmnWorkflow:
    """Restore a workflow on its bound specs, with the sandboxed script engine attached."""
    serializer = _serializer()
    dct = json.loads(state_json(state))
    serializer.migrate(dct)
    workflow: BpmnWorkflow = serializer.from_dict(dct, bundle=bundle)
    workflow.script_engine = PythonScriptEngine(environment=environment)
    return workflow


def new_workflow(bundle: SpecBundle, data: dict[str, Any], environment: SandboxedEnvironment) -> BpmnWorkflow:
    """A fresh workflow on the bundle's specs, its start data set."""
    workflow = BpmnWorkflow(
        bundle.spec, bundle.subprocess_specs, script_engine=PythonScriptEngine(environment=environment)
    )
    workflow.task_tree.data.update(data)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    return workflow


_clock_lock = threading.RLock()


@contextmanager
def engine_clock(now: datetime | None) -> Iterator[None]:
    """Run SpiffWorkflow's timers as if at `now` (for `igot timers --now` and tests).

    SpiffWorkflow reads the time through its timer module's `datetime` name; swapping it
    is process-global, hence the lock.
    """
    if now is None or abs((datetime.now(UTC) - now).total_seconds()) < 1:
        # The real clock: no swap, so concurrent steps do not wait on the lock.
        yield
        return
    fixed = now.astimezone(UTC)

    class _FixedDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> _FixedDatetime:
            moment = fixed if tz is None else fixed.astimezone(tz)
            return cls.fromtimestamp(moment.timestamp(), tz=moment.tzinfo)

    with _clock_lock:
        original = spiff_timer.datetime
        spiff_timer.datetime = _FixedDatetime
        try:
            yield
        finally:
            spiff_timer.datetime = original


MAX_ENGINE_ROUNDS = 100


def run_engine(workflow: BpmnWorkflow, action: Callable[[BpmnWorkflow], None], now: datetime | None) -> None:
    """Apply `action`, then run engine steps and due timers until the workflow waits.

    Any script or expression failure becomes StepFailed; the caller must not save.
    """
    try:
        with engine_clock(now), step_budget():
            action(workflow)
            workflow.do_engine_steps()
            rounds = 0
            while workflow.get_tasks(state=TaskState.READY, manual=False):
                rounds += 1
                if rounds > MAX_ENGINE_ROUNDS:
                    raise StepFailed("the process does not come to rest (an endless loop of automatic steps?)")
                workflow.do_engine_steps()
    except (SpiffWorkflowException, SandboxError, NameError, TypeError, ValueError, KeyError) as error:
        raise StepFailed(_describe(error)) from error
    errors = workflow.get_tasks(state=TaskState.ERROR)
    if errors:
        raise StepFailed(f"task {errors[0].task_spec.name} failed")


def _describe(error: Exception) -> str:
    task = getattr(error, "task", None)
    where = f"{task.task_spec.name}: " if task is not None else ""
    notes = "; ".join(getattr(error, "__notes__", []))
    text = str(error) or type(error).__name__
    # SpiffWorkflow wraps a failing expression's error without its text; say what the sandbox refused.
    if isinstance(error.__context__, SandboxError) and str(error.__context__) not in text:
        text = f"{text.strip().rstrip('.')}: {error.__context__}"
    return f"{where}{text}{' (' + notes + ')' if notes else ''}"


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """READY tasks a person must work, in the top process and every called process."""
    return [task for task in workflow.get_tasks(state=TaskState.READY, manual=True)]


def task_properties(task: Task) -> dict[str, str]:
    """The spiffworkflow:properties of a task's spec (formJsonSchemaFilename, ...)."""
    extensions = getattr(task.task_spec, "extensions", None) or {}
    properties: dict[str, str] = extensions.get("properties", {})
    return properties


def next_due(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest moment a waiting timer of this workflow becomes due."""
    moments = [moment for moment in (_deadline(event.value) for event in workflow.waiting_events()) if moment]
    return min(moments) if moments else None


def _deadline(value: Any) -> datetime | None:
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        moment = spiff_timer.TimerEventDefinition.parse_time_or_duration(value)
    except (ValueError, TypeError):
        return None
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def boundary_deadline(task: Task) -> datetime | None:
    """When the earliest timer on the task's boundary fires (the task's due time)."""
    parent = task.parent
    if parent is None:
        return None
    moments = []
    for sibling in parent.children:
        if sibling is task or not sibling.has_state(TaskState.WAITING):
            continue
        moment = _deadline(sibling._get_internal_data("event_value"))
        if moment is not None:
            moments.append(moment)
    return min(moments) if moments else None


def current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The process data as it stands at the wait state the workflow rests in."""
    if workflow.completed:
        return dict(workflow.data)
    waiting = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    if not waiting:
        return dict(workflow.data)
    latest = max(waiting, key=lambda task: task.last_state_change)
    return dict(latest.data)


def status_property(workflow: BpmnWorkflow) -> str | None:
    """The applicationStatus the workflow's wait state (or end event) declares."""
    if workflow.completed:
        ended = [
            task
            for task in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)
            if type(task.task_spec).__name__ == "EndEvent" and task_properties(task).get("applicationStatus")
        ]
        if not ended:
            return None
        last = max(ended, key=lambda task: task.last_state_change)
        return str(task_properties(last)["applicationStatus"])
    for task in ready_user_tasks(workflow) + workflow.get_tasks(state=TaskState.WAITING):
        status = task_properties(task).get("applicationStatus")
        if status:
            return str(status)
    return None
