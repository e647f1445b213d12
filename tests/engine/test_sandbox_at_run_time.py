"""A diagram that slipped past deploy still cannot escape: the runtime refuses, nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.definitions import SpecBundle
from engine.errors import StepFailed
from engine.runtime import new_workflow, run_engine
from engine.sandbox import SandboxedEnvironment
from engine.validation import parse_xml
from tests.engine.bpmn_samples import gateway_process, script_process, timer_process


def _bundle(xml: bytes, key: str) -> SpecBundle:
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(parse_xml(xml), filename="x.bpmn")
    return SpecBundle(key, (1,), parser.get_spec(key), parser.get_subprocess_specs(key), 1)


def _run(xml: bytes, key: str, data: dict[str, object]) -> None:
    workflow = new_workflow(_bundle(xml, key), data, SandboxedEnvironment())
    run_engine(workflow, lambda _w: None, None)


@pytest.mark.parametrize(
    "payload",
    [
        "import os\nos.system('touch {marker}')",
        "__import__('os').system('touch {marker}')",
        "open('{marker}', 'w').write('x')",
        "().__class__.__base__.__subclasses__()",
    ],
)
def test_script_task_escape_fails_the_step_and_runs_nothing(tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "marker"
    script = "before = 1\n" + payload.format(marker=marker)
    data: dict[str, object] = {}
    with pytest.raises(StepFailed):
        _run(script_process(script), "sample", data)
    assert not marker.exists()


@pytest.mark.parametrize(
    "condition",
    ["__import__('os').system('touch {marker}') == 0", "open('{marker}', 'w') is None", "x.__class__ is None"],
)
def test_gateway_condition_escape_fails_the_step(tmp_path: Path, condition: str) -> None:
    marker = tmp_path / "marker"
    with pytest.raises(StepFailed):
        _run(gateway_process(condition.format(marker=marker)), "sample_gateway", {"x": 1})
    assert not marker.exists()


@pytest.mark.parametrize(
    "expression",
    ["__import__('os').system('touch {marker}')", "open('{marker}', 'w')", "().__class__.__name__"],
)
def test_timer_expression_escape_fails_the_step(tmp_path: Path, expression: str) -> None:
    marker = tmp_path / "marker"
    with pytest.raises(StepFailed):
        _run(timer_process(expression.format(marker=marker)), "sample_timer", {})
    assert not marker.exists()


def test_a_harmless_script_runs_in_the_same_runtime() -> None:
    bundle = _bundle(script_process("total = 2 + 3"), "sample")
    workflow = new_workflow(bundle, {}, SandboxedEnvironment())
    run_engine(workflow, lambda _w: None, None)
    assert workflow.completed and workflow.data["total"] == 5
