"""The BPMN parser our process definitions are built with: SpiffWorkflow 3.2.0's, with our fixes.

- Timers: an ISO 8601 literal written without quotes (`P7D`) reaches SpiffWorkflow as the
  quoted string it means (the stored XML keeps what the process owner wrote), and a
  timer's value is checked when the timer starts, so an expression that yields an invalid
  duration or a date-time without offset fails the step naming the timer instead of
  failing obscurely (or, for a date-time without offset, silently meaning the server's
  local time).
- Multi-instance activities with an output collection: SpiffWorkflow 3.2.0 fails when
  such an activity is entered a second time (a loop back into it): with a cardinality on
  a misspelt name (`data_ouput`), with an input collection because the collection still
  holds the first pass's results. Here an output collection holds what the current pass
  collects: it starts empty (a map stays a map) each time the activity starts, unless it
  is also the input collection (updated in place).
- Parallel and inclusive joins: SpiffWorkflow 3.2.0 merges the whole data of each branch,
  in the order the branches finished, so a variable one branch changed is set back to its
  value before the split by a branch that finished later without touching it. Here a join
  merges what each branch changed since the split.

The classes we substitute must be known to the serializer's registry (for spec diffs when
an instance is migrated): `SPEC_CONVERTERS` maps each to SpiffWorkflow's converter.
"""

from __future__ import annotations

from collections.abc import MutableMapping, MutableSequence
from copy import deepcopy
from datetime import UTC
from typing import Any, ClassVar

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser, GatewayParser
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import ConditionalGatewayConverter, ParallelGatewayConverter
from SpiffWorkflow.bpmn.specs.defaults import InclusiveGateway, ParallelGateway
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.task_spec import SpiffMultiInstanceConverter
from SpiffWorkflow.spiff.specs.defaults import ParallelMultiInstanceTask, SequentialMultiInstanceTask
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from engine.timer_values import TimerKind, timer_problem, timer_text


def _checked_value(definition: Any, my_task: Any, kind: TimerKind) -> str:
    """Evaluate a timer's expression and refuse a value SpiffWorkflow would misread."""
    value = my_task.workflow.script_engine.evaluate(my_task, definition.expression)
    problem = timer_problem(kind, value)
    if problem:
        raise WorkflowTaskException(f"the {kind} of this timer cannot be used: {problem}", task=my_task)
    return str(value)


class CheckedTimeDate(spiff_timer.TimeDateEventDefinition):  # type: ignore[misc]
    """A timeDate timer whose value must be a date-time with offset."""

    def has_fired(self, my_task: Any) -> bool:
        if my_task._get_internal_data("event_value") is None:
            my_task._set_internal_data(event_value=_checked_value(self, my_task, "timeDate"))
        return bool(super().has_fired(my_task))


class CheckedDuration(spiff_timer.DurationTimerEventDefinition):  # type: ignore[misc]
    """A timeDuration timer whose value must be an ISO 8601 duration."""

    def has_fired(self, my_task: Any) -> bool:
        if my_task._get_internal_data("event_value") is None:
            duration = self.parse_iso_duration(_checked_value(self, my_task, "timeDuration"))
            # Through the timer module's own `datetime`, so an injected engine clock is honoured.
            now = spiff_timer.datetime.now(UTC)
            deadline = now + self.get_timedelta_from_start(duration, now)
            my_task._set_internal_data(event_value=deadline.isoformat())
        return bool(super().has_fired(my_task))


class CheckedCycle(spiff_timer.CycleTimerEventDefinition):  # type: ignore[misc]
    """A timeCycle timer whose value must be an ISO 8601 repeating interval."""

    def cycle_complete(self, my_task: Any) -> bool:
        if my_task._get_internal_data("event_value") is None:
            cycles, start, duration = self.parse_iso_recurring_interval(_checked_value(self, my_task, "timeCycle"))
            event_value = {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}
            my_task._set_internal_data(event_value=event_value)
        return bool(super().cycle_complete(my_task))


_TIMER_CLASSES: dict[TimerKind, type] = {
    "timeDate": CheckedTimeDate,
    "timeDuration": CheckedDuration,
    "timeCycle": CheckedCycle,
}


class _TimerParsing:
    """Builds our timer event definitions, a literal handed over as the quoted string it means."""

    def parse_timer_event(self, event: Any) -> Any:
        parser: Any = self
        description = parser.get_event_description(event)
        name = parser.node.get("name", parser.node.get("id"))
        for kind, timer_class in _TIMER_CLASSES.items():
            element = first(parser.xpath(f".//bpmn:{kind}"))
            if element is not None:
                return timer_class(name, timer_text(element.text).for_engine(), description=description)
        raise ValidationException("Unknown Time Specification", node=parser.node, file_name=parser.filename)


class _FreshOutputCollection:
    """Starts an output collection afresh each time the activity starts (see the module's docstring)."""

    def init_data_output_with_input_data(self, my_task: Any, input_data: Any) -> None:
        self._empty_output_collection(my_task, input_data)
        super().init_data_output_with_input_data(my_task, input_data)  # type: ignore[misc]

    def init_data_output_with_cardinality(self, my_task: Any) -> None:
        # SpiffWorkflow 3.2.0's version reads a misspelt name whenever the collection exists.
        spec: Any = self
        self._empty_output_collection(my_task, None)
        if not spec.data_output.exists(my_task):
            spec.data_output.set(my_task, [])
            return
        output = spec.data_output.get(my_task)
        if not isinstance(output, MutableMapping) and len(output) > 0:
            spec.raise_data_exception(
                "If loop cardinality is specified, the output must be a map (dict) or empty sequence (list)", my_task
            )

    def _empty_output_collection(self, my_task: Any, input_data: Any) -> None:
        spec: Any = self
        if not spec.data_output.exists(my_task):
            return
        output = spec.data_output.get(my_task)
        if output is input_data or not isinstance(output, MutableMapping | MutableSequence):
            return
        spec.data_output.set(my_task, type(output)())


class FreshOutputParallelMultiInstance(_FreshOutputCollection, ParallelMultiInstanceTask):  # type: ignore[misc]
    """A parallel multi-instance activity whose output collection is this pass's."""


class FreshOutputSequentialMultiInstance(_FreshOutputCollection, SequentialMultiInstanceTask):  # type: ignore[misc]
    """A sequential multi-instance activity whose output collection is this pass's."""


_UNSET = object()


class _BranchChangesJoin:
    """Merges, at a join, what each branch changed since the split, in the order they finished."""

    def _run_hook(self, my_task: Any) -> bool:
        spec: Any = self
        finished = sorted(
            (
                task
                for task in my_task.workflow.tasks.values()
                if task.task_spec == spec
                and task.has_state(TaskState.FINISHED_MASK)
                and not my_task.is_descendant_of(task)
            ),
            key=lambda task: task.last_state_change,
        )
        branch_ends = [task.parent for task in finished] + [my_task.parent]
        before = _split_of(branch_ends).data
        merged = deepcopy(before)
        for end in branch_ends:
            DeepMerge.merge(merged, {key: value for key, value in end.data.items() if before.get(key, _UNSET) != value})
        for task in finished:
            if task.has_state(TaskState.COMPLETED):
                # As SpiffWorkflow does: a branch reset to and completed again must not leave its old children.
                task._drop_children(force=True)
        my_task.data = merged
        return True


def _split_of(branch_ends: list[Any]) -> Any:
    """The latest task every branch descends from (the split), for the data before the branches."""
    line: list[Any] = []
    task = branch_ends[0]
    while task is not None:
        line.append(task)
        task = task.parent
    depth = {task.id: index for index, task in enumerate(line)}
    highest = 0
    for end in branch_ends[1:]:
        task = end
        while task.id not in depth:
            task = task.parent
        highest = max(highest, depth[task.id])
    return line[highest]


class BranchChangesParallelGateway(_BranchChangesJoin, ParallelGateway):  # type: ignore[misc]
    """A parallel gateway whose join merges the branches' changes."""


class BranchChangesInclusiveGateway(_BranchChangesJoin, InclusiveGateway):  # type: ignore[misc]
    """An inclusive gateway whose join merges the branches' changes, then chooses its outgoing flows."""

    def _run_hook(self, my_task: Any) -> bool:
        # SpiffWorkflow's own, after our merge instead of UnstructuredJoin's.
        _BranchChangesJoin._run_hook(self, my_task)
        matches, defaults = self._get_matching_outputs(my_task)
        if len(matches + defaults) == 0:
            raise WorkflowTaskException("No conditions satisfied on gateway", task=my_task)
        my_task._sync_children(matches or defaults, TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True


_TIMER_EVENT_PARSERS = {SpiffStartEventParser, SpiffIntermediateCatchEventParser, SpiffBoundaryEventParser}


def _our_parser_class(parser_class: type) -> type:
    """`parser_class` building our multi-instance specs, and our timers where it parses events."""
    bases = (_TimerParsing, parser_class) if parser_class in _TIMER_EVENT_PARSERS else (parser_class,)
    attributes = {
        "PARALLEL_MI_CLASS": FreshOutputParallelMultiInstance,
        "SEQUENTIAL_MI_CLASS": FreshOutputSequentialMultiInstance,
    }
    return type(parser_class.__name__, bases, attributes)


class DefinitionParser(SpiffBpmnParser):  # type: ignore[misc]
    """SpiffBpmnParser with our timer and multi-instance specs; use it wherever specs are built."""

    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[type, type]]] = {
        **{
            tag: (_our_parser_class(parser_class), spec_class)
            for tag, (parser_class, spec_class) in SpiffBpmnParser.OVERRIDE_PARSER_CLASSES.items()
        },
        full_tag("parallelGateway"): (GatewayParser, BranchChangesParallelGateway),
        full_tag("inclusiveGateway"): (ConditionalGatewayParser, BranchChangesInclusiveGateway),
    }


# For the serializer's registry: BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, **SPEC_CONVERTERS}).
SPEC_CONVERTERS: dict[type, type] = {
    CheckedTimeDate: TimerConditionalEventDefinitionConverter,
    CheckedDuration: TimerConditionalEventDefinitionConverter,
    CheckedCycle: TimerConditionalEventDefinitionConverter,
    FreshOutputParallelMultiInstance: SpiffMultiInstanceConverter,
    FreshOutputSequentialMultiInstance: SpiffMultiInstanceConverter,
    BranchChangesParallelGateway: ParallelGatewayConverter,
    BranchChangesInclusiveGateway: ConditionalGatewayConverter,
}
