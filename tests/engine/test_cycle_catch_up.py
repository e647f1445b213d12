"""A cycle timer after the timer worker was down: the occurrences missed fire once, together,
and count against the repetitions; the next stays on the cycle's grid (engine.runtime)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import TaskState

from engine.actions import FireTimers
from engine.bpmn.bundle import SpecBundle
from engine.bpmn_parser import DefinitionParser
from engine.runtime import new_workflow, next_due, run_engine
from engine.sandbox import SandboxedEnvironment
from engine.validation import parse_xml
from tests.engine.diagrams import timer_diagram

START = datetime(2027, 1, 10, 10, 0, tzinfo=UTC)


def _reminding(cycle: str) -> BpmnWorkflow:
    """A CCA task with a non-interrupting `cycle` reminder on its boundary, started at START."""
    parser = DefinitionParser()
    parser.add_bpmn_xml(parse_xml(timer_diagram("boundary", "timeCycle", cycle)), filename="timed.bpmn")
    bundle = SpecBundle("timed", (), parser.get_spec("timed"), {}, 0)
    workflow = new_workflow(bundle, {}, SandboxedEnvironment({}))
    run_engine(workflow, lambda _workflow: None, START)
    return workflow


def _reminders(workflow: BpmnWorkflow) -> int:
    return len(
        [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "reminded" and t.state == TaskState.COMPLETED]
    )


def _round(workflow: BpmnWorkflow, seconds: int) -> int:
    """One round of the timer worker `seconds` after START; the reminders sent in it."""
    before = _reminders(workflow)
    run_engine(workflow, FireTimers().apply, START + timedelta(seconds=seconds))
    return _reminders(workflow) - before


def test_occurrences_missed_while_the_worker_was_down_fire_once_and_count_against_the_repetitions() -> None:
    workflow = _reminding("R5/PT10S")  # due at +10, +20, +30, +40, +50
    assert next_due(workflow) == START + timedelta(seconds=10)

    assert _round(workflow, 35) == 1  # +10, +20 and +30 were missed: one reminder for them
    assert next_due(workflow) == START + timedelta(seconds=40)  # the grid, not 35 + 10
    assert _round(workflow, 38) == 0
    assert _round(workflow, 41) == 1
    assert _round(workflow, 1000) == 1  # +50, the last: once
    assert next_due(workflow) is None
    assert _round(workflow, 2000) == 0
    assert _reminders(workflow) == 3


def test_an_endless_cycle_after_a_day_down_fires_once_and_goes_on_from_now() -> None:
    workflow = _reminding("R/PT10S")
    day = 24 * 3600

    assert _round(workflow, day + 5) == 1
    assert next_due(workflow) == START + timedelta(seconds=day + 10)
    assert _round(workflow, day + 11) == 1


@pytest.mark.parametrize("late", [0, 1])
def test_a_worker_on_time_fires_each_occurrence(late: int) -> None:
    workflow = _reminding("R3/PT1H")
    assert [_round(workflow, hour * 3600 + 1 + late) for hour in (1, 2, 3, 4)] == [1, 1, 1, 0]
