"""What the script budget costs: `python -m benchmarks.scripts`.

In memory, without a database: the cadre approval of the shipped process (two scripts,
two conditions), its instructions template, and a loop-heavy script (the worst case for
the ticks). Prints the best of several rounds' medians, to keep other load on the
machine out of the figures; nothing is asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.task import TaskState

from engine.config import PROJECT_ROOT
from engine.definitions import SpecBundle
from engine.instructions import render_instructions
from engine.runtime import new_workflow, run_engine
from engine.sandbox import SandboxedEnvironment, compile_script
from engine.validation import parse_xml

ROUNDS = 7
SAMPLES = 200
DATA: dict[str, Any] = {
    "officer": {
        "full_name": "Asha Verma",
        "designation": "Deputy Secretary",
        "service": "IAS",
        "cca_name": "Department of Personnel and Training",
    },
    "course": {"code": "CGP", "title": "Cities and Global Public Policy"},
    "course_run": {"id": 1, "starts_on": "2027-03-01"},
    "cca_approval_required": True,
}
LOOPS = "total = 0\nfor i in range(n):\n    total += i * 2\ncells = [i for i in range(n) if i % 3]"


def _median_ms(fn: Callable[[], object]) -> float:
    best = []
    for _ in range(ROUNDS):
        samples = []
        for _ in range(SAMPLES):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
        best.append(statistics.median(samples))
    return min(best)


def _cadre_approval() -> SpecBundle:
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(parse_xml((PROJECT_ROOT / "processes" / "cadre_approval.bpmn").read_bytes()), "c.bpmn")
    return SpecBundle("cadre_approval", (1,), parser.get_spec("cadre_approval"), {}, 1)


def _approve(workflow: Any) -> None:
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    task.data["decision"] = "approve"
    task.run()


def main() -> None:
    bundle = _cadre_approval()
    helpers = {"notify_role": lambda *args: None, "notify_officer": lambda *args: None}

    def approval() -> None:
        workflow = new_workflow(bundle, dict(DATA), SandboxedEnvironment(helpers))
        run_engine(workflow, lambda _workflow: None, None)
        run_engine(workflow, _approve, None)

    template = bundle.spec.task_specs["cca_approval"].extensions["instructionsForEndUser"]
    environment = SandboxedEnvironment()
    compile_script(LOOPS)
    figures = {
        "cadre approval, request to approval": _median_ms(approval),
        "cca_approval instructions rendered": _median_ms(lambda: render_instructions(template, DATA)),
        "script with two 1,000-round loops": _median_ms(lambda: environment.execute(LOOPS, {"n": 1000})),
    }
    for name, figure in figures.items():
        print(f"{name:<38} median {figure:8.3f} ms")


if __name__ == "__main__":
    main()
