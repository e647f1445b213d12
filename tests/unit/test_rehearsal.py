"""Rehearsing scenarios in memory: the shipped ones pass and cover every outcome; failures say where."""

from __future__ import annotations

import copy
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.bpmn.bundle import SpecBundle
from engine.bpmn.rehearsal import RehearsalHost, ScenarioResult, run_scenario
from engine.bpmn.scenario_format import read_scenario
from engine.config import PROJECT_ROOT
from engine.host import ScriptHost
from engine.runtime import engine_clock
from engine.sandbox import SandboxError
from engine.statuses import FINAL_STATUSES
from engine.validation import parse_xml

PROCESSES = PROJECT_ROOT / "processes"
SHIPPED = ("cadre_approval", "coupon_issue", "enrollment", "reimbursement")
FILES = sorted((PROCESSES / "scenarios").glob("*/*.json"))
FORMS = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in (PROJECT_ROOT / "forms").glob("*.json")}
DOCUMENTS = {(path.parent.name, path.stem): json.loads(path.read_text(encoding="utf-8")) for path in FILES}


def _bundle(key: str, changes: dict[str, tuple[str, str]] | None = None) -> SpecBundle:
    """The shipped processes parsed together, `key` on top; `changes` replaces text in a file."""
    parser = SpiffBpmnParser()
    for name in SHIPPED:
        xml = (PROCESSES / f"{name}.bpmn").read_text(encoding="utf-8")
        if changes and name in changes:
            old, new = changes[name]
            assert old in xml
            xml = xml.replace(old, new)
        parser.add_bpmn_xml(parse_xml(xml.encode()), filename=f"{name}.bpmn")
    return SpecBundle(key, (), parser.get_spec(key), parser.get_subprocess_specs(key), 0)


BUNDLES = {key: _bundle(key) for key in SHIPPED}
FORMS_BY_PROCESS = dict.fromkeys(SHIPPED, FORMS)


def _run(process: str, document: dict[str, Any], bundle: SpecBundle | None = None) -> ScenarioResult:
    scenario = read_scenario(process, "sample", document)
    return run_scenario(scenario, bundle or BUNDLES[process], FORMS_BY_PROCESS)


def _shipped(process: str, name: str) -> dict[str, Any]:
    return copy.deepcopy(DOCUMENTS[(process, name)])


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_every_shipped_scenario_passes_on_the_shipped_processes(path: Path) -> None:
    result = _run(path.parent.name, json.loads(path.read_text(encoding="utf-8")))
    assert result.passed, result.describe()


def _task_steps() -> list[tuple[str, dict[str, Any]]]:
    return [(step["task"], step["data"]) for d in DOCUMENTS.values() for step in d["steps"] if "task" in step]


def test_every_message_of_the_shipped_processes_is_in_english_and_hindi() -> None:
    notices = [n for (process, _), d in DOCUMENTS.items() for n in _run(process, copy.deepcopy(d)).notices]
    assert len({n.subject.split(":")[0] for n in notices}) >= 15
    assert [n.subject for n in notices if not n.bilingual] == []
    assert all(any("\u0900" <= ch <= "\u097f" for ch in (n.subject_hi or "") + (n.body_hi or "")) for n in notices)


def test_shipped_scenarios_reach_every_final_status_but_withdrawn_and_cancelled() -> None:
    reached = {d["expect"].get("status") for (process, _), d in DOCUMENTS.items() if process == "enrollment"}
    assert set(FINAL_STATUSES) - reached == {"withdrawn", "cancelled"}  # both cancel; neither is an end event


def _choices(form: str, field: str) -> list[str]:
    return list(FORMS[form]["properties"][field]["enum"])


def test_shipped_scenarios_take_every_decision_of_every_user_task() -> None:
    fields = ("decision", "proctored_exam")
    taken = {(task, data[field]) for task, data in _task_steps() for field in fields if field in data}
    wanted = {
        *(("cca_approval", value) for value in _choices("cca_approval.schema.json", "decision")),
        *(("escalated_approval", value) for value in _choices("cca_approval.schema.json", "decision")),
        *(("dopt_confirmation", value) for value in _choices("dopt_confirmation.schema.json", "decision")),
        *(("verify_claim", value) for value in _choices("verify_claim.schema.json", "decision")),
        *(("report_result", value) for value in _choices("report_result.schema.json", "proctored_exam")),
    }
    assert len(wanted) == 14
    assert wanted - taken == set()


def test_shipped_scenarios_fire_every_timer_and_take_every_coupon_path() -> None:
    fired = {step["timer"] for d in DOCUMENTS.values() for step in d["steps"] if "timer" in step}
    assert fired == {
        "approval_reminder",
        "approval_escalation",
        "wait_for_run_end",
        "result_reminder",
        "result_overdue",
        "result_confirmation_due",
    }
    tasks = {task for task, _data in _task_steps()}
    assert {"issue_coupon", "respond_clarification", "record_payment"} <= tasks
    assert any(d.get("coupons") and "confirm" in json.dumps(d["steps"]) for d in DOCUMENTS.values())
    assert any(d["start"]["profile"] == "officer_without_cca_approval" for d in DOCUMENTS.values())


def test_timer_that_is_not_due_yet_fails_naming_the_timer_and_when_it_is_due() -> None:
    document = _shipped("cadre_approval", "reminded_then_approved")
    document["steps"][0]["at"] = "P6D"
    result = _run("cadre_approval", document)
    assert (result.passed, result.step, result.element, result.field) == (False, 1, "approval_reminder", "steps[0].at")
    assert "timer approval_reminder did not fire at P6D (2027-01-16T15:30:00+05:30); it is due at 2027-01-17T" in str(
        result.message
    )


def test_task_that_is_not_open_fails_saying_where_the_process_waits() -> None:
    document = _shipped("cadre_approval", "approved")
    document["steps"][0] = {"task": "dopt_confirmation", "role": "dopt", "data": {"decision": "confirm"}}
    result = _run("cadre_approval", document)
    assert result.describe() == (
        "scenario cadre_approval/sample fails at step 1 (dopt_confirmation): user task dopt_confirmation is not open "
        "(the process waits at cca_approval, approval_escalation, approval_reminder)"
    )


def test_task_worked_by_another_role_fails() -> None:
    document = _shipped("cadre_approval", "approved")
    document["steps"][0]["role"] = "dopt"
    result = _run("cadre_approval", document)
    assert result.field == "steps[0].role"
    assert result.message == "cca_approval is worked by cca_approver (lane CCA), not by dopt"


def test_data_the_form_refuses_fails_naming_form_and_field() -> None:
    document = _shipped("cadre_approval", "rejected")
    del document["steps"][0]["data"]["remarks"]
    result = _run("cadre_approval", document)
    assert result.field == "steps[0].data"
    assert result.message == (
        "the form 'cca_approval.schema.json' refuses the data: "
        "remarks: Give your remarks: they are required when you reject or return"
    )


def test_a_different_end_fails_on_the_expected_status() -> None:
    document = _shipped("enrollment", "not_approved")
    document["steps"][0]["data"] = {"decision": "approve"}
    result = _run("enrollment", document)
    assert (result.step, result.field, result.element) == (None, "expect.status", "dopt_confirmation")
    assert result.message == (
        "the status is awaiting_dopt_confirmation, the scenario expects not_approved "
        "(the process waits at dopt_confirmation)"
    )


def test_missing_message_fails_listing_the_messages_sent() -> None:
    document = _shipped("cadre_approval", "approved")
    document["expect"]["notifications"] = [{"to": "dopt", "subject": "Approval needed"}]
    result = _run("cadre_approval", document)
    assert result.field == "expect.notifications[0]"
    assert "no message to dopt with 'Approval needed'" in str(result.message)
    assert "cca_approver: Approval needed: Asha Verma" in str(result.message)


def test_expected_data_is_compared_key_by_key() -> None:
    document = _shipped("coupon_issue", "confirmed_from_pool")
    document["expect"]["data"]["coupon_code"] = "CGP-2027-9999"
    result = _run("coupon_issue", document)
    assert (result.field, result.element) == ("expect.data.coupon_code", "coupon_issued")
    assert result.message == "coupon_code is 'CGP-2027-0001', the scenario expects 'CGP-2027-9999'"


def test_script_that_fails_names_the_failing_element() -> None:
    broken = _bundle(
        "cadre_approval",
        {"cadre_approval": ('cadre_outcome = "approved"\nnotify_officer', "cadre_outcome = missing\nnotify_officer")},
    )
    result = _run("cadre_approval", _shipped("cadre_approval", "approved"), broken)
    assert (result.step, result.element) == (1, "record_approval")
    assert "the process failed" in str(result.message) and "missing" in str(result.message)


def test_step_after_the_end_fails() -> None:
    document = _shipped("cadre_approval", "approved")
    document["steps"].append(document["steps"][0])
    result = _run("cadre_approval", document)
    assert (result.step, result.field) == (2, "steps[1]")
    assert result.message == "the process has already ended (the process ended at nomination_approved)"


def test_rehearsal_host_offers_exactly_the_helpers_of_the_real_host() -> None:
    real = ScriptHost(None, None, "system", datetime(2027, 1, 1, tzinfo=UTC))  # type: ignore[arg-type]
    assert RehearsalHost(()).helpers().keys() == real.helpers().keys()


def test_rehearsal_host_hands_out_the_pool_in_order_and_records_messages() -> None:
    host = RehearsalHost(("A-1", "A-2"))
    assert host.assign_coupon() == "A-1" and host.assign_coupon() == "A-1"
    assert RehearsalHost(()).assign_coupon() is None
    host.notify_role("finance", "Pay", "body")
    with pytest.raises(SandboxError):
        host.notify_role("admin", "Hello", "body")
    assert [(n.to, n.subject) for n in host.notices] == [("finance", "Pay")]


def test_engine_clock_moves_only_the_calling_threads_time() -> None:
    inside, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def rehearse() -> None:
        with engine_clock(datetime(2027, 6, 16, tzinfo=UTC)):
            seen.append(spiff_timer.datetime.now(UTC).year)
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=rehearse)
    thread.start()
    inside.wait(5)
    here = spiff_timer.datetime.now(UTC)
    release.set()
    thread.join()
    assert seen == [2027]
    assert abs((here - datetime.now(UTC)).total_seconds()) < 5


def test_timer_moment_before_the_scenarios_clock_fails() -> None:
    document = _shipped("enrollment", "lapsed")
    document["steps"][2]["at"] = "2027-01-01T00:00:00+05:30"
    result = _run("enrollment", document)
    assert (result.step, result.field, result.element) == (3, "steps[2].at", "wait_for_run_end")
    assert str(result.message).startswith("2027-01-01T00:00:00+05:30 is before the scenario's clock")


def test_payment_more_than_two_per_cent_off_without_confirmation_fails_the_scenario_at_its_step() -> None:
    document = _shipped("reimbursement", "paid_with_confirmed_difference")
    del document["steps"][2]["data"]["confirm_difference"]

    result = _run("reimbursement", document)

    assert (result.passed, result.step, result.element) == (False, 3, "record_payment")
    assert "amount_inr" in (result.message or "")


def test_rehearsal_records_the_payment_and_refuses_a_second_one() -> None:
    host = RehearsalHost(())
    arguments = {
        "sanction_number": "S-1",
        "paid_on": "2027-07-20",
        "amount_inr": 8350,
        "exchange_rate": 83.5,
        "reference": "R-1",
        "amount_usd": 100,
        "bank_account_number": "123456789012",
        "ifsc": "SBIN0001234",
    }

    host.record_payment(**arguments)

    assert host.payments[0]["reference"] == "R-1"
    with pytest.raises(SandboxError, match="paid already"):
        host.record_payment(**arguments)


def test_scenario_names_a_multi_instance_task_by_its_bpmn_id() -> None:
    from tests.engine.diagrams import multi_instance_review

    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(parse_xml(multi_instance_review(loop=False, cardinality="2")), filename="panel.bpmn")
    bundle = SpecBundle("panel_review", (), parser.get_spec("panel_review"), {}, 0)
    review = {"task": "review", "role": "cca_approver", "data": {"decision": "approve"}}
    document = {
        "description": "Both reviewers approve.",
        "start": {"profile": "eligible_officer"},
        "steps": [review, review],
        "expect": {"ended": True, "tasks": ["review", "review"], "data": {"decisions": ["approve", "approve"]}},
    }
    scenario = read_scenario("panel_review", "sample", document)
    forms = {"panel_review": FORMS}
    assert run_scenario(scenario, bundle, forms).passed

    document["steps"] = [review, review, review]
    result = run_scenario(read_scenario("panel_review", "sample", document), bundle, forms)
    assert (result.passed, result.step, result.element) == (False, 3, "review")
    assert "the process has already ended" in str(result.message)
