"""Loading, running and saving process instances: one step from wait state to wait state.

The spec is kept out of each instance's state (it is stored once per deployed version
and cached parsed), the sandboxed script engine is attached on every load, and a step
either saves a consistent state with version + 1 or raises and leaves nothing behind.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task, TaskState

from engine.bpmn.bundle import SpecBundle
from engine.bpmn_parser import SPEC_CONVERTERS
from engine.errors import EngineError, StepFailed
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
        config = {**SPIFF_CONFIG, **SPEC_CONVERTERS}
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


_clock = threading.local()


class _EngineDatetime(datetime):
    """SpiffWorkflow's view of the time: the moment `engine_clock` set in this thread, else now."""

    @classmethod
    def now(cls, tz: Any = None) -> _EngineDatetime:
        fixed: datetime | None = getattr(_clock, "now", None)
        if fixed is None:
            return super().now(tz)
        moment = fixed if tz is None else fixed.astimezone(tz)
        return cls.fromtimestamp(moment.timestamp(), tz=moment.tzinfo)


# SpiffWorkflow reads the time through its timer module's `datetime` name. The name is
# replaced once, for good, by a class that asks the calling thread: a rehearsal of
# scenarios in 2027 on one thread never moves the clock of a real step on another.
spiff_timer.datetime = _EngineDatetime


@contextmanager
def engine_clock(now: datetime | None) -> Iterator[None]:
    """Run SpiffWorkflow's timers in this thread as if at `now` (for `igot timers --now`,
    scenarios and tests); None, or a moment within a second of the real time, keeps the
    real clock. `now` must carry an offset.
    """
    if now is None or abs((datetime.now(UTC) - now).total_seconds()) < 1:
        yield
        return
    previous = getattr(_clock, "now", None)
    _clock.now = now.astimezone(UTC)
    try:
        yield
    finally:
        _clock.now = previous


MAX_ENGINE_ROUNDS = 100


@contextmanager
def step_failures() -> Iterator[None]:
    """Turn every exception of a step into StepFailed, BaseException included.

    A process owner's script can raise anything: SystemExit, KeyboardInterrupt,
    GeneratorExit (also through a generator's .throw), MemoryError, RecursionError.
    None of them may end a request with a 500 or stop the timer worker; each becomes a
    step failure the caller rolls back and records. Errors the engine raises on purpose
    (EngineError: a Conflict, say) pass through unchanged. A real Ctrl-C that lands while
    a step runs cannot be told from a script's KeyboardInterrupt and fails that step too.
    """
    try:
        yield
    except EngineError:
        raise
    except BaseException as error:
        element = failing_element(error)
        raise StepFailed(_describe(error, element), element) from error


def run_engine(workflow: BpmnWorkflow, action: Callable[[BpmnWorkflow], None], now: datetime | None) -> None:
    """Apply `action`, then run engine steps and due timers until the workflow waits.

    Every failure becomes StepFailed (see step_failures); the caller must not save.
    """
    with step_failures(), engine_clock(now), step_budget():
        action(workflow)
        workflow.do_engine_steps()
        rounds = 0
        while workflow.get_tasks(state=TaskState.READY, manual=False):
            rounds += 1
            if rounds > MAX_ENGINE_ROUNDS:
                raise StepFailed("the process does not come to rest (an endless loop of automatic steps?)")
            workflow.do_engine_steps()
    errors = workflow.get_tasks(state=TaskState.ERROR)
    if errors:
        raise StepFailed(f"task {errors[0].task_spec.name} failed", element_id(errors[0]))


def _describe(error: BaseException, element: str | None = None) -> str:
    """ "element: Type: message." for every failure, as SpiffWorkflow words a script's ordinary
    errors; a BaseException (SystemExit, ...) escapes SpiffWorkflow unwrapped, so its element
    is the one `failing_element` found."""
    task = getattr(error, "task", None)
    where = f"{element_id(task)}: " if isinstance(task, Task) else ""
    notes = "; ".join(getattr(error, "__notes__", []))
    text = str(error).strip()
    if not isinstance(error, SpiffWorkflowException):
        text = f"{type(error).__name__}: {text}" if text else type(error).__name__
        if not isinstance(error, Exception):
            where = where or (f"{element}: " if element else "")
            text = text if text.endswith((".", "!", "?")) else f"{text}."
    else:
        # SpiffWorkflow joins a script error's name and text with a bare colon ("KeyError:'x'").
        text = re.sub(r"^([A-Za-z_]\w*):(?=\S)", r"\1: ", text)
    # SpiffWorkflow wraps a failing expression's error without its text; say what the sandbox refused.
    if isinstance(error.__context__, SandboxError) and str(error.__context__) not in text:
        text = f"{text.strip().rstrip('.')}: {error.__context__}"
    return f"{where}{text}{' (' + notes + ')' if notes else ''}"


def element_id(task: Task) -> str:
    """The BPMN id of the element a task runs (its spec name for engine-made specs)."""
    return str(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)


def failing_element(error: BaseException) -> str | None:
    """The BPMN id of the element that was running when `error` was raised, where it can be told.

    SpiffWorkflow's own errors carry the task; anything else (a script's SystemExit, a
    MemoryError) is traced to the innermost engine frame that was working on a task.
    """
    task = getattr(error, "task", None)
    if not isinstance(task, Task):
        task = None
        for frame, _line in traceback.walk_tb(error.__traceback__):
            candidate = frame.f_locals.get("my_task", frame.f_locals.get("self"))
            if isinstance(candidate, Task):
                task = candidate
    return element_id(task) if task is not None else None


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """READY tasks a person must work, in the top process and every called process."""
    return [task for task in workflow.get_tasks(state=TaskState.READY, manual=True)]


def task_name(task: Task) -> str:
    """The task's BPMN id: what the inbox and the API call it (API.md: `name` is the BPMN task id).

    Not the spec's name: an instance of a multi-instance task has a spec named `<id> [child]`.
    """
    return str(task.task_spec.bpmn_id or task.task_spec.name)


def task_properties(task: Task) -> dict[str, str]:
    """The spiffworkflow:properties of a task's spec (formJsonSchemaFilename, ...)."""
    extensions = getattr(task.task_spec, "extensions", None) or {}
    properties: dict[str, str] = extensions.get("properties", {})
    return properties


WAITING_SINCE = "waiting_since"


def waiting_timers(workflow: BpmnWorkflow) -> list[Task]:
    """The tasks of the timer events the workflow waits on, in every process of the instance."""
    return [
        task
        for task in workflow.event_manager.tasks.values()
        if isinstance(getattr(task.task_spec, "event_definition", None), spiff_timer.TimerEventDefinition)
    ]


def note_waiting_timers(workflow: BpmnWorkflow, now: datetime) -> None:
    """Record, once, when each waiting timer began to wait (ISO 8601, UTC) in its task's internal data.

    SpiffWorkflow keeps only the deadline; migrating to a version whose timer changed
    needs the start, so that the new duration counts from when the wait began.
    """
    for task in waiting_timers(workflow):
        task.internal_data.setdefault(WAITING_SINCE, now.astimezone(UTC).isoformat())


def collapse_missed_cycles(workflow: BpmnWorkflow) -> int:
    """Let each cycle timer that missed occurrences (the timer worker was down) fire once for
    them all; return how many occurrences were folded into those single firings.

    SpiffWorkflow fires a cycle timer once per occurrence whose moment has passed, all in one
    round: `R/P1D` after a ten-day outage would send ten reminders at once (and `R/PT10S`
    after a day, thousands). The rule here: the occurrences missed count as one firing, now;
    they still count against the repetitions (`R5` fires at most five times, and its last
    occurrence is where the diagram puts it); the next occurrence stays on the cycle's own
    grid (start + n x period), the first one after the clock. So nothing floods, and no
    cycle is skipped whole. Call it before `refresh_timers` (FireTimers does), under the
    engine clock.
    """
    now = spiff_timer.datetime.now(UTC)
    folded = 0
    for task in waiting_timers(workflow):
        if not isinstance(task.task_spec.event_definition, spiff_timer.CycleTimerEventDefinition):
            continue
        value = task._get_internal_data("event_value")
        if not isinstance(value, dict) or value.get("cycles") == 0 or not value.get("duration"):
            continue
        due, period = _deadline(value), timedelta(seconds=float(value["duration"]))
        if due is None or period <= timedelta(0) or due >= now:
            continue
        missed = -(-(now - due) // period)  # occurrences before now: due, due + period, ...
        extra = missed - 1 if value["cycles"] < 0 else min(missed - 1, value["cycles"] - 1)
        if extra > 0:
            value["next"] = (due + extra * period).isoformat()
            if value["cycles"] > 0:
                value["cycles"] -= extra
            task._set_internal_data(event_value=value)
            folded += extra
    return folded


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
    """When the earliest timer on the task's boundary fires (the task's due time).

    An instance of a multi-instance (or loop) task has the boundary of the activity it belongs to.
    """
    if task.parent is not None and isinstance(task.parent.task_spec, LoopTask):
        task = task.parent
    parent = task.parent
    if parent is None:
        return None
    moments = []
    for sibling in parent.children:
        if sibling is task or not sibling.has_state(TaskState.WAITING):
            continue
        moment = timer_deadline(sibling)
        if moment is not None:
            moments.append(moment)
    return min(moments) if moments else None


def timer_deadline(task: Task) -> datetime | None:
    """When a waiting timer event's task fires (None for other tasks, or before it waits)."""
    return _deadline(task._get_internal_data("event_value"))


def current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The process data as it stands at the wait state the workflow rests in.

    A process's end join (SpiffWorkflow's `_EndJoin`) waits too once a branch reached an end
    (the path of a non-interrupting reminder, say) and holds no process data until the
    process ends: it is not where the process rests.
    """
    if workflow.completed:
        return dict(workflow.data)
    waiting = [
        task
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
        if not isinstance(task.task_spec, _EndJoin)
    ]
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
