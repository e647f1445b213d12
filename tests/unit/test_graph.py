"""The graph rules of deploy: every element reachable, every element leading to an end, every split decided."""

from __future__ import annotations

import pytest

from engine.bpmn.graph import END_RULE, REACH_RULE, SPLIT_RULE, check_graph
from engine.config import PROJECT_ROOT
from engine.validation import deployable_process, parse_xml

HEAD = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">'
    '<bpmn:process id="p" isExecutable="true">'
)


def _problems(body: str) -> list[str]:
    return check_graph(deployable_process(parse_xml((HEAD + body + "</bpmn:process></bpmn:definitions>").encode())))


def _flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
        "</bpmn:sequenceFlow>"
    )


LINE = (
    '<bpmn:startEvent id="start"/><bpmn:task id="work" name="Do the work"/><bpmn:endEvent id="end"/>'
    + _flow("f1", "start", "work")
    + _flow("f2", "work", "end")
)


@pytest.mark.parametrize("key", ["cadre_approval", "coupon_issue", "enrollment", "reimbursement"])
def test_shipped_processes_pass_the_graph_rules(key: str) -> None:
    process = deployable_process(parse_xml((PROJECT_ROOT / "processes" / f"{key}.bpmn").read_bytes()))
    assert check_graph(process) == []


def test_a_plain_line_passes() -> None:
    assert _problems(LINE) == []


def test_element_no_flow_reaches_is_named_with_the_rule() -> None:
    problems = _problems(LINE + '<bpmn:task id="orphan" name="Forgotten"/>' + _flow("f3", "orphan", "end"))
    assert problems == [f"orphan ('Forgotten'): cannot be reached from the start event ({REACH_RULE})"]


def test_element_leading_nowhere_is_named_with_the_rule() -> None:
    body = LINE.replace(_flow("f2", "work", "end"), "") + '<bpmn:task id="last"/>' + _flow("f2", "work", "last")
    problems = _problems(body)
    assert f"work ('Do the work'): no path leads from here to an end event ({END_RULE})" in problems
    assert f"last: no path leads from here to an end event ({END_RULE})" in problems
    assert "end: cannot be reached from the start event" in "\n".join(problems)


def test_boundary_event_is_reached_through_the_activity_it_is_attached_to() -> None:
    boundary = (
        '<bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>'
        '<bpmn:endEvent id="late_end"/>' + _flow("f3", "late", "late_end")
    )
    assert _problems(LINE + boundary) == []


def test_boundary_event_whose_flow_leads_nowhere_is_named() -> None:
    boundary = (
        '<bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>'
        '<bpmn:task id="remind"/>' + _flow("f3", "late", "remind")
    )
    problems = _problems(LINE + boundary)
    assert f"late: no path leads from here to an end event ({END_RULE})" in problems
    assert f"remind: no path leads from here to an end event ({END_RULE})" in problems


def _split(default: str | None, conditions: dict[str, str | None]) -> str:
    attribute = f' default="{default}"' if default else ""
    flows = "".join(_flow(flow_id, "choice", f"end_{flow_id}", condition) for flow_id, condition in conditions.items())
    ends = "".join(f'<bpmn:endEvent id="end_{flow_id}"/>' for flow_id in conditions)
    return (
        f'<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="choice"{attribute}/>{ends}'
        + _flow("f0", "start", "choice")
        + flows
    )


def test_split_flow_without_condition_that_is_not_the_default_is_refused() -> None:
    problems = _problems(_split(None, {"yes": "x == 1", "no": None}))
    assert problems == [f"no: leaves gateway choice without a condition ({SPLIT_RULE})"]


def test_split_with_conditions_and_a_default_passes() -> None:
    assert _problems(_split("no", {"yes": "x == 1", "no": None})) == []


def test_blank_condition_counts_as_none() -> None:
    assert _problems(_split("no", {"yes": "  ", "no": None})) == [
        f"yes: leaves gateway choice without a condition ({SPLIT_RULE})"
    ]


def test_default_that_is_not_an_outgoing_flow_is_refused() -> None:
    problems = _problems(_split("elsewhere", {"yes": "x == 1", "no": "x == 2"}))
    assert problems == ["choice: its default flow 'elsewhere' is not one of its outgoing flows"]


def test_merging_gateway_with_one_unconditional_flow_out_passes() -> None:
    body = (
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="merge"/><bpmn:endEvent id="end"/>'
        + _flow("f1", "start", "merge")
        + _flow("f2", "merge", "end")
    )
    assert _problems(body) == []


def test_process_without_start_or_end_is_refused() -> None:
    assert _problems('<bpmn:task id="only"/>') == [
        f"p: has no start event ({REACH_RULE})",
        f"p: has no end event ({END_RULE})",
    ]


def test_flow_to_an_element_that_does_not_exist_is_named() -> None:
    problems = _problems(LINE + _flow("f9", "work", "gone"))
    assert problems == ["f9: its target 'gone' is not an element of the process"]


def test_embedded_sub_process_is_checked_as_a_graph_of_its_own() -> None:
    inner = '<bpmn:startEvent id="s2"/><bpmn:task id="inner_orphan"/><bpmn:endEvent id="e2"/>' + _flow("g1", "s2", "e2")
    body = LINE.replace(
        '<bpmn:task id="work" name="Do the work"/>', f'<bpmn:subProcess id="work">{inner}</bpmn:subProcess>'
    )
    problems = _problems(body)
    assert f"inner_orphan: cannot be reached from the start event ({REACH_RULE})" in problems
    assert all("inner_orphan" in problem for problem in problems)
