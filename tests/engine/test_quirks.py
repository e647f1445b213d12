"""SpiffWorkflow 3.2.0 quirks met by real diagrams: reproduced on the library's own parser, and
run right (or refused at deploy, see test_deploy_inputs.py) on the parser our definitions use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.bpmn_parser import SPEC_CONVERTERS, DefinitionParser
from engine.config import PROJECT_ROOT
from engine.definitions import SpecBundle
from engine.errors import StepFailed
from engine.runtime import dump_state, load_workflow, new_workflow, next_due, ready_user_tasks, run_engine
from engine.sandbox import SandboxedEnvironment
from engine.validation import parse_xml
from tests.engine.diagrams import multi_instance_review, parallel_reviews, parallel_reviews_in_a_loop, timer_diagram

T0 = datetime(2027, 1, 10, 10, 0, tzinfo=UTC)


def _bundle(xml: bytes, key: str, parser: Any) -> SpecBundle:
    parser.add_bpmn_xml(parse_xml(xml), filename=f"{key}.bpmn")
    return SpecBundle(key, (1,), parser.get_spec(key), parser.get_subprocess_specs(key), 1)


def _start(xml: bytes, key: str, data: dict[str, Any] | None = None, library: bool = False) -> BpmnWorkflow:
    parser = SpiffBpmnParser() if library else DefinitionParser()
    workflow = new_workflow(_bundle(xml, key, parser), data or {}, SandboxedEnvironment())
    run_engine(workflow, lambda _w: None, T0)
    return workflow


def _ready(workflow: BpmnWorkflow) -> list[str]:
    return sorted(task.task_spec.bpmn_id for task in ready_user_tasks(workflow))


def _complete(workflow: BpmnWorkflow, bpmn_id: str, **data: Any) -> None:
    task = next(task for task in ready_user_tasks(workflow) if task.task_spec.bpmn_id == bpmn_id)

    def run(_workflow: BpmnWorkflow) -> None:
        task.set_data(**data)
        task.run()

    run_engine(workflow, run, T0)


def test_library_alone_lets_a_join_on_a_loop_go_on_with_one_branch_done() -> None:
    workflow = _start(parallel_reviews_in_a_loop(), "parallel_reviews", library=True)
    _complete(workflow, "cca_review", decision="return", remarks="Which cadre?")
    _complete(workflow, "dopt_review", decision="confirm")
    _complete(workflow, "respond_clarification", response="IAS 2015")
    assert _ready(workflow) == ["cca_review", "dopt_review"]

    _complete(workflow, "dopt_review", decision="confirm")

    # The join went on without the second CCA review, on the first pass's "return":
    # the reason deploy refuses a join on a loop.
    assert _ready(workflow) == ["cca_review", "respond_clarification"]


PENDING = {"cca_decision": "pending", "dopt_decision": "pending"}


def test_library_alone_sets_a_branch_result_back_when_the_other_branch_finishes_later() -> None:
    workflow = _start(parallel_reviews(), "parallel_reviews", PENDING, library=True)
    _complete(workflow, "cca_review", decision="approve")
    _complete(workflow, "dopt_review", decision="confirm")
    assert workflow.completed and workflow.data["cca_decision"] == "pending"


@pytest.mark.parametrize("gateway", ["parallelGateway", "inclusiveGateway"])
@pytest.mark.parametrize("first", ["cca_review", "dopt_review"])
def test_join_keeps_what_each_branch_decided_whichever_finishes_last(gateway: str, first: str) -> None:
    workflow = _start(parallel_reviews(gateway), "parallel_reviews", PENDING)
    decisions = {"cca_review": "approve", "dopt_review": "confirm"}
    for task in sorted(decisions, key=lambda name: name != first):
        _complete(workflow, task, decision=decisions[task])
    assert workflow.completed
    assert (workflow.data["cca_decision"], workflow.data["dopt_decision"]) == ("approve", "confirm")


@pytest.mark.parametrize(
    ("cardinality", "error"),
    [("2", "name 'data_ouput' is not defined"), (None, "the output must be empty or it must be a map")],
)
def test_library_alone_fails_a_multi_instance_output_collection_on_the_second_pass(
    cardinality: str | None, error: str
) -> None:
    xml = multi_instance_review(cardinality=cardinality)
    workflow = _start(xml, "panel_review", {"reviewers": ["asha", "vikram"]}, library=True)
    _complete(workflow, "review", decision="return", remarks="Service record?")
    _complete(workflow, "review", decision="approve")
    with pytest.raises(StepFailed, match=error):
        _complete(workflow, "respond_clarification", response="Attached")


@pytest.mark.parametrize("cardinality", ["2", None])
@pytest.mark.parametrize("sequential", [False, True])
def test_multi_instance_review_a_loop_leads_back_into_collects_each_pass_afresh(
    cardinality: str | None, sequential: bool
) -> None:
    xml = multi_instance_review(cardinality=cardinality, sequential=sequential)
    workflow = _start(xml, "panel_review", {"reviewers": ["asha", "vikram"]})
    _complete(workflow, "review", decision="return", remarks="Service record?")
    _complete(workflow, "review", decision="approve")
    assert _ready(workflow) == ["respond_clarification"]
    _complete(workflow, "respond_clarification", response="Attached")

    assert _ready(workflow) == (["review"] if sequential else ["review", "review"])
    _complete(workflow, "review", decision="approve")
    _complete(workflow, "review", decision="approve")

    assert workflow.completed
    assert workflow.data["decisions"] == ["approve", "approve"]


def test_multi_instance_output_collection_survives_saving_between_passes() -> None:
    xml = multi_instance_review(cardinality=None)
    bundle = _bundle(xml, "panel_review", DefinitionParser())
    workflow = new_workflow(bundle, {"reviewers": ["asha", "vikram"]}, SandboxedEnvironment())
    run_engine(workflow, lambda _w: None, T0)
    for decision in ("return", "approve", None, "reject", "approve"):
        workflow = load_workflow(dump_state(workflow), bundle, SandboxedEnvironment())
        if decision is None:
            _complete(workflow, "respond_clarification", response="Attached")
        else:
            _complete(workflow, "review", decision=decision, remarks="noted")
    assert workflow.completed and workflow.data["decisions"] == ["reject", "approve"]


@pytest.mark.parametrize(
    ("where", "kind", "value", "due"),
    [
        ("intermediate", "timeDuration", "P7D", T0 + timedelta(days=7)),
        ("boundary", "timeDuration", "PT12H", T0 + timedelta(hours=12)),
        ("boundary", "timeCycle", "R3/PT1H", T0 + timedelta(hours=1)),
        ("intermediate", "timeDate", "2027-01-15T10:00:00+05:30", datetime(2027, 1, 15, 4, 30, tzinfo=UTC)),
        ("boundary", "timeCycle", "R2/2027-01-12T09:00:00+05:30/P1D", datetime(2027, 1, 12, 3, 30, tzinfo=UTC)),
    ],
)
def test_unquoted_iso_literal_runs_as_that_literal(where: str, kind: str, value: str, due: datetime) -> None:
    workflow = _start(timer_diagram(where, kind, value), "timed")
    assert next_due(workflow) == due


def test_library_alone_reads_an_unquoted_duration_as_a_python_name() -> None:
    with pytest.raises(StepFailed, match="Error evaluating expression 'P7D'"):
        _start(timer_diagram("intermediate", "timeDuration", "P7D"), "timed", library=True)


@pytest.mark.parametrize(
    ("kind", "value", "says"),
    [
        ("timeDuration", "PT1D", "write P1D"),
        ("timeDate", "2027-01-15T10:00:00", "no UTC offset"),
        ("timeDate", "2027-01-15", "no UTC offset"),
        ("timeCycle", "0 0 9 * * ?", "cron expression"),
        ("timeDuration", 7, "not text"),
    ],
)
def test_timer_expression_with_an_unusable_value_fails_the_step_naming_the_timer(
    kind: str, value: object, says: str
) -> None:
    with pytest.raises(StepFailed) as failed:
        _start(timer_diagram("intermediate", kind, "due"), "timed", {"due": value})
    assert failed.value.message.startswith(f"wait: the {kind} of this timer cannot be used: ")
    assert says in failed.value.message


_TIMES_IN_A_ZONE = """
import json, sys
from datetime import datetime
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from tests.engine.test_quirks import T0, _start
from tests.engine.diagrams import timer_diagram
from engine.runtime import next_due
cases = [("intermediate", "timeDate", "2027-01-15T10:00:00+05:30"), ("intermediate", "timeDuration", "P7D"),
         ("boundary", "timeCycle", "R2/2027-01-12T09:00:00+05:30/P1D"), ("intermediate", "timeDate", "due")]
due = [next_due(_start(timer_diagram(*case), "timed", {"due": "2027-03-01T00:00:00Z"})).isoformat() for case in cases]
naive = TimerEventDefinition.get_datetime("2027-01-15T10:00:00").isoformat()
print(json.dumps({"due": due, "naive": naive}))
"""


def _times_in_zone(zone: str) -> dict[str, Any]:
    env = {**os.environ, "TZ": zone, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _TIMES_IN_A_ZONE], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return dict(json.loads(done.stdout))


def test_a_timer_means_the_same_instant_whatever_the_servers_time_zone() -> None:
    kiritimati, adak = _times_in_zone("Pacific/Kiritimati"), _times_in_zone("America/Adak")
    # The zones differ (SpiffWorkflow reads a time without offset in the server's zone) ...
    assert kiritimati["naive"] != adak["naive"]
    # ... and what our timers mean does not.
    assert kiritimati["due"] == adak["due"]
    assert [datetime.fromisoformat(moment) for moment in kiritimati["due"]] == [
        datetime(2027, 1, 15, 4, 30, tzinfo=UTC),
        T0 + timedelta(days=7),
        datetime(2027, 1, 12, 3, 30, tzinfo=UTC),
        datetime(2027, 3, 1, tzinfo=UTC),
    ]


def test_the_serializer_registry_knows_our_specs_so_a_version_diff_sees_what_changed() -> None:
    registry = BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, **SPEC_CONVERTERS})

    def spec(xml: bytes, key: str) -> Any:
        return _bundle(xml, key, DefinitionParser()).spec

    timers = SpecDiff(
        registry,
        spec(timer_diagram("boundary", "timeDuration", "P7D"), "timed"),
        spec(timer_diagram("boundary", "timeDuration", "P3D"), "timed"),
    )
    reviews = SpecDiff(
        registry,
        spec(multi_instance_review(), "panel_review"),
        spec(multi_instance_review(cardinality="3"), "panel_review"),
    )
    assert {task.name: fields for task, fields in timers.changed.items()} == {"reminder": ["event_definition"]}
    assert {task.name: fields for task, fields in reviews.changed.items()} == {"review": ["cardinality"]}
