"""Every script, pre-script, condition, timer and loop expression of a process runs under the
step's budget; what the diagram shows is refused at deploy with the element and the line."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import SpecBundle, deploy
from engine.errors import StepFailed
from engine.instructions import INSTRUCTIONS_PLACEHOLDER
from engine.models import HumanTask, Incident
from engine.runtime import new_workflow, run_engine
from engine.sandbox import SandboxedEnvironment
from engine.validation import check_static, deployable_process, parse_xml
from tests.engine.bpmn_samples import HEAD, gateway_process, script_process, timer_process
from tests.engine.flow import Flow
from tests.factories import NOW, forget_scenarios

LIMIT = 0.5
SPIN = "sum(1 for a in range(n) for b in range(n))"
REFUSED = "refused by the script sandbox"


@pytest.fixture(autouse=True)
def small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IGOT_SCRIPT_TIME_LIMIT", str(LIMIT))


def _wrapped(task: str, key: str) -> bytes:
    body = f"""
  <bpmn:process id="{key}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {task}
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="the_task" />
    <bpmn:sequenceFlow id="f2" sourceRef="the_task" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
    return (HEAD + body).encode()


def pre_script_process(pre_script: str) -> bytes:
    """start -> a user task with a pre-script -> end."""
    return _wrapped(
        f"""<bpmn:userTask id="the_task" name="Work">
      <bpmn:extensionElements><spiffworkflow:preScript>{pre_script}</spiffworkflow:preScript></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>""",
        "sample_pre",
    )


def loop_process(cardinality: str) -> bytes:
    """start -> a sequential multi-instance script task with a loop cardinality -> end."""
    return _wrapped(
        f"""<bpmn:scriptTask id="the_task" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:script>done = True</bpmn:script>
    </bpmn:scriptTask>""",
        "sample_loop",
    )


def instructions_process(template: str) -> bytes:
    """start -> a user task in the officer lane with instructions -> end."""
    return _wrapped(
        f"""<bpmn:userTask id="the_task" name="Work">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="respond_clarification.schema.json" />
        </spiffworkflow:properties>
        <spiffworkflow:instructionsForEndUser>{template}</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>""",
        "sample_instructions",
    )


def _run(xml: bytes, key: str, data: dict[str, Any]) -> float:
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(parse_xml(xml), filename="x.bpmn")
    bundle = SpecBundle(key, (1,), parser.get_spec(key), parser.get_subprocess_specs(key), 1)
    workflow = new_workflow(bundle, data, SandboxedEnvironment())
    started = time.monotonic()
    run_engine(workflow, lambda _w: None, None)
    return time.monotonic() - started


RUNAWAY_STEPS = [
    (script_process("total = 0\nfor a in range(100000):\n    for b in range(100000):\n        total += 1"), "sample"),
    (script_process("total = 0\nfor a in range(n):\n    for b in range(n):\n        total += 1"), "sample"),
    (gateway_process(f"{SPIN} > 0"), "sample_gateway"),
    (timer_process(f'"PT" + str({SPIN}) + "S"'), "sample_timer"),
    (pre_script_process(f"spins = {SPIN}"), "sample_pre"),
    (loop_process(SPIN), "sample_loop"),
]


@pytest.mark.parametrize(("xml", "key"), RUNAWAY_STEPS)
def test_runaway_code_fails_the_step_within_the_limit_plus_a_second(xml: bytes, key: str) -> None:
    started = time.monotonic()
    with pytest.raises(StepFailed, match=r"longer than its limit of 0\.5 s"):
        _run(xml, key, {"n": 100000})
    assert time.monotonic() - started < LIMIT + 1


@pytest.mark.parametrize(
    ("script", "data", "reason"),
    [
        ("big = ten ** ten ** eight", {"ten": 10, "eight": 8}, "digits"),
        ("code = text.zfill(3 * ten ** 9)", {"text": "ab", "ten": 10}, "padding"),
        ("cells = [0] * ten ** 9", {"ten": 10}, "repeating"),
        ("def deeper(k):\n    return deeper(k + 1)\nx = deeper(0)", {}, "too deeply"),
        ("raise MemoryError()", {}, "ran out of memory"),
        ("text = pattern % amount", {"pattern": "%d", "amount": 1}, "use an f-string or +"),
    ],
)
def test_operation_too_large_for_the_budget_fails_the_step(script: str, data: dict[str, Any], reason: str) -> None:
    with pytest.raises(StepFailed) as caught:
        _run(script_process(script), "sample", data)
    assert reason in caught.value.message and "the_script" in caught.value.message


def test_a_harmless_step_after_a_runaway_one_has_a_budget_of_its_own() -> None:
    with pytest.raises(StepFailed):
        _run(script_process("for a in range(n):\n    for b in range(n):\n        pass"), "sample", {"n": 100000})
    assert _run(script_process("total = sum([i for i in range(n)])"), "sample", {"n": 1000}) < LIMIT


def _refusals(xml: bytes) -> list[str]:
    return check_static(deployable_process(parse_xml(xml)))


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (script_process("x = 1\ny = 10 ** 10 ** 8"), f"the_script: script (line 2) {REFUSED}: 10 **"),
        (script_process('code = "ab".zfill(3 * 10 ** 9)'), f"the_script: script (line 1) {REFUSED}: padding"),
        (script_process("cells = [0] * 10 ** 9"), f"the_script: script (line 1) {REFUSED}: repeating"),
        (script_process('label = "{} days".format(days)'), f"the_script: script (line 1) {REFUSED}: string"),
        (gateway_process('decision == "a" * 10 ** 10'), f"f2: conditionExpression (line 1) {REFUSED}"),
        (timer_process('"P" + "1" * 10 ** 10 + "D"'), f"wait: timeDuration (line 1) {REFUSED}"),
        (pre_script_process("x = 1\ny = 1 / 0"), f"the_task: preScript (line 2) {REFUSED}"),
        (loop_process("10 ** 10 ** 8"), f"the_task: loopCardinality (line 1) {REFUSED}"),
        (instructions_process("Hello\n{{ 1/0 }}"), "the_task: instructions (line 2): this expression always fails"),
        (instructions_process("{{ 'a' * 200000000 }}"), "the_task: instructions (line 1): repeating 'a' 200,000,000"),
    ],
)
def test_what_the_diagram_shows_is_refused_at_deploy_with_element_and_line(xml: bytes, expected: str) -> None:
    problems = _refusals(xml)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_service_task_that_the_sandbox_would_refuse_is_refused_at_deploy() -> None:
    xml = _wrapped(
        """<bpmn:serviceTask id="the_task"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>""",
        "sample_service",
    )
    assert _refusals(xml) == ["the_task: service tasks are not supported (scripts cannot call out)"]


def test_format_refusal_says_what_to_write_instead() -> None:
    (problem,) = _refusals(script_process('label = "{} days".format(days)'))
    assert "use an f-string or +" in problem


def test_failing_instructions_show_a_placeholder_and_leave_an_incident_until_the_task_is_done(
    db: Database, settings: Settings
) -> None:
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    english = "<spiffworkflow:instructionsForEndUser>{{ officer.full_name }} ({{ officer.designation }}"
    broken = xml.replace(english, "<spiffworkflow:instructionsForEndUser>{{ officer.full_name / 0 }} (", 1)
    assert broken != xml
    with db.sessions() as session, session.begin():
        deploy(session, broken.encode(), "owner", settings.forms_dir)
    flow = Flow(db, settings)
    application_id = flow.apply(flow.officer())

    # The step went through: the task opened, with a placeholder instead of the instructions.
    assert flow.status(application_id) == "awaiting_cadre_approval"
    with db.sessions() as session:
        task = session.scalars(select(HumanTask).where(HumanTask.application_id == application_id)).one()
        incident = session.scalars(select(Incident).where(Incident.application_id == application_id)).one()
    assert task.name == "cca_approval" and task.instructions == INSTRUCTIONS_PLACEHOLDER
    assert incident.element == "cca_approval" and incident.resolved_at is None
    assert "TypeError" in incident.message and "(line 1)" in incident.message

    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "approve"})

    with db.sessions() as session:
        assert session.get(Incident, incident.id).resolved_at is not None


def test_a_user_task_opens_with_its_instructions_in_hindi_too(db: Database, settings: Settings) -> None:
    flow = Flow(db, settings)
    application_id = flow.apply(flow.officer())

    with db.sessions() as session:
        task = session.scalars(select(HumanTask).where(HumanTask.application_id == application_id)).one()
    assert task.instructions is not None and "has applied for The Challenges of Global Poverty" in task.instructions
    assert task.instructions_hi is not None
    assert "ने The Challenges of Global Poverty के लिए आवेदन किया है" in task.instructions_hi
    assert "राज्य प्रशासनिक/सिविल सेवा" in task.instructions_hi or "भारतीय" in task.instructions_hi


def test_instructions_in_hindi_are_checked_at_deploy_like_the_english(settings: Settings) -> None:
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    hindi = 'name="instructionsForEndUser_hi" value="{{ officer.full_name }}'
    broken = xml.replace(hindi, 'name="instructionsForEndUser_hi" value="{{ officer.full_name | no_such_filter }}', 1)
    assert broken != xml

    problems = _refusals(broken.encode())

    assert any(problem.startswith("cca_approval:") and "no_such_filter" in problem for problem in problems), problems


def test_a_runaway_timer_step_is_recorded_and_the_worker_goes_on(db: Database, settings: Settings) -> None:
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    spinning = xml.replace(
        '<bpmn:script>notify_role(\n    "cca_approver",\n    "Reminder:',
        "<bpmn:script>spins = 0\nfor a in range(100000):\n    for b in range(100000):\n        spins += 1\n"
        'notify_role(\n    "cca_approver",\n    "Reminder:',
        1,
    )
    assert spinning != xml
    forget_scenarios(db)  # the reminder scenarios would refuse it; the test is about the timer worker
    with db.sessions() as session, session.begin():
        deploy(session, spinning.encode(), "owner", settings.forms_dir)
    flow = Flow(db, settings)
    stuck, other = flow.apply(flow.officer()), flow.apply(flow.officer())

    started = time.monotonic()
    flow.timers(NOW + timedelta(days=8))

    assert time.monotonic() - started < 2 * (LIMIT + 1)
    with db.sessions() as session:
        incidents = session.scalars(select(Incident).order_by(Incident.application_id)).all()
    assert [incident.application_id for incident in incidents] == [stuck, other]
    assert all("longer than its limit" in incident.message for incident in incidents)
    assert flow.open_tasks(stuck) == ["cca_approval"]
