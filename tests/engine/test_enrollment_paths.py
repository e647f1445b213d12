"""Each process path to each final status, driven through the engine's Python API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.bootstrap import Database
from engine.config import Settings
from engine.errors import Conflict
from tests.engine.flow import CLAIM, RUN_RESULT_OPENS, Flow, approve_and_confirm, passed_result, to_claim
from tests.factories import NOW


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    return Flow(db, settings)


def test_officer_of_other_service_is_ineligible_with_every_reason(flow: Flow) -> None:
    officer = flow.officer(service="OTHER", date_of_joining="2026-01-01")
    application_id = flow.apply(officer)
    application = flow.application(application_id)
    assert application.status == "ineligible"
    assert application.eligibility["eligible"] is False
    assert len(application.eligibility["reasons"]) == 2
    assert flow.open_tasks(application_id) == []


def test_eligible_application_waits_for_its_cca(flow: Flow) -> None:
    application_id = flow.apply(flow.officer())
    assert flow.status(application_id) == "awaiting_cadre_approval"
    assert flow.open_tasks(application_id) == ["cca_approval"]
    assert flow.application(application_id).eligibility["eligible"] is True


def test_the_history_lists_the_approval_before_the_task_it_opens(flow: Flow, db: Database) -> None:
    from engine.services.queries import history

    application_id = flow.apply(flow.officer())
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "approve"})
    with db.sessions() as session:
        entries = [(entry.action, entry.task) for entry in history(session, application_id)]
    approved = entries.index(("completed", "cca_approval"))
    opened = entries.index(("task_opened", "dopt_confirmation"))
    assert approved < opened, entries


def test_cca_rejection_ends_not_approved_and_tells_the_officer(flow: Flow) -> None:
    officer = flow.officer()
    application_id = flow.apply(officer)
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "reject", "remarks": "Not now."})
    assert flow.status(application_id) == "not_approved"
    assert flow.open_tasks(application_id) == []
    assert "Not now." in flow.notification_bodies(officer)


def test_cca_return_asks_officer_and_comes_back_to_the_cca(flow: Flow) -> None:
    officer = flow.officer()
    application_id = flow.apply(officer)
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "return", "remarks": "Which?"})
    assert flow.status(application_id) == "awaiting_clarification"
    flow.complete(officer, application_id, "respond_clarification", {"response": "The March run."})
    assert flow.status(application_id) == "awaiting_cadre_approval"
    assert flow.open_tasks(application_id) == ["cca_approval"]


def test_cca_not_requiring_approval_is_only_told(db: Database, settings: Settings) -> None:
    flow = Flow(db, settings, cca="DOPT-CSS")
    application_id = flow.apply(flow.officer(service="CSS_A", cca="DOPT-CSS"))
    assert flow.status(application_id) == "awaiting_dopt_confirmation"
    assert flow.open_tasks(application_id) == ["dopt_confirmation"]
    assert len(flow.notifications(flow.cca_approver)) == 1


def test_waiting_cca_task_reminds_after_7_days_and_escalates_after_14(flow: Flow) -> None:
    application_id = flow.apply(flow.officer())
    assert flow.timers(NOW + timedelta(days=6)) == 0
    flow.timers(NOW + timedelta(days=7, minutes=1))
    assert flow.open_tasks(application_id) == ["cca_approval"]
    assert len(flow.notifications(flow.cca_approver)) == 2  # the request, then the reminder
    flow.timers(NOW + timedelta(days=14, minutes=1))
    assert flow.open_tasks(application_id) == ["escalated_approval"]
    assert flow.status(application_id) == "awaiting_dopt_decision"
    flow.complete(flow.dopt, application_id, "escalated_approval", {"decision": "approve"}, NOW + timedelta(days=15))
    assert flow.status(application_id) == "awaiting_dopt_confirmation"


def test_dopt_rejection_ends_rejected_by_dopt(flow: Flow) -> None:
    application_id = flow.apply(flow.officer())
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "approve"})
    flow.complete(flow.dopt, application_id, "dopt_confirmation", {"decision": "reject", "remarks": "Duplicate."})
    assert flow.status(application_id) == "rejected_by_dopt"


def test_confirmation_gives_a_coupon_from_the_pool_and_tells_the_officer(flow: Flow) -> None:
    flow.add_coupons("POOL-0001")
    officer = flow.officer()
    application_id = approve_and_confirm(flow, officer)
    application = flow.application(application_id)
    assert application.status == "enrolled"
    assert application.coupon_code == "POOL-0001"
    assert "POOL-0001" in flow.notification_bodies(officer)


def test_empty_pool_opens_issue_coupon_for_the_course_team(flow: Flow) -> None:
    officer = flow.officer()
    application_id = approve_and_confirm(flow, officer)
    assert flow.status(application_id) == "awaiting_coupon"
    assert flow.open_tasks(application_id) == ["issue_coupon"]
    flow.complete(flow.course_team, application_id, "issue_coupon", {"coupon_code": "HAND-0001"})
    assert flow.application(application_id).coupon_code == "HAND-0001"
    assert flow.status(application_id) == "enrolled"


def test_a_code_already_used_cannot_be_issued_again(flow: Flow) -> None:
    from engine.errors import Invalid

    flow.add_coupons("USED-0001")
    approve_and_confirm(flow, flow.officer())
    second = approve_and_confirm(flow, flow.officer())
    with pytest.raises(Invalid) as caught:
        flow.complete(flow.course_team, second, "issue_coupon", {"coupon_code": "USED-0001"})
    assert "coupon_code" in caught.value.fields


def test_report_result_opens_only_after_the_run_ends(flow: Flow) -> None:
    flow.add_coupons("POOL-0002")
    application_id = approve_and_confirm(flow, flow.officer())
    flow.timers(RUN_RESULT_OPENS - timedelta(minutes=2))
    assert flow.status(application_id) == "enrolled"
    flow.timers(RUN_RESULT_OPENS)
    assert flow.status(application_id) == "awaiting_result"
    assert flow.open_tasks(application_id) == ["report_result"]


def test_result_not_reported_within_90_days_lapses(flow: Flow) -> None:
    flow.add_coupons("POOL-0003")
    application_id = approve_and_confirm(flow, flow.officer())
    flow.timers(RUN_RESULT_OPENS)
    flow.timers(RUN_RESULT_OPENS + timedelta(days=89))
    assert flow.status(application_id) == "awaiting_result"
    flow.timers(RUN_RESULT_OPENS + timedelta(days=90, minutes=1))
    assert flow.status(application_id) == "lapsed"
    assert flow.open_tasks(application_id) == []


def test_failed_exam_ends_not_certified(flow: Flow) -> None:
    flow.add_coupons("POOL-0004")
    officer = flow.officer()
    application_id = approve_and_confirm(flow, officer)
    flow.timers(RUN_RESULT_OPENS)
    result = {"final_grade": 80, "proctored_exam": "failed"}
    flow.complete(officer, application_id, "report_result", result, RUN_RESULT_OPENS)
    assert flow.open_tasks(application_id) == ["confirm_result"]
    flow.complete(officer, application_id, "confirm_result", {"decision": "confirm"}, RUN_RESULT_OPENS)
    assert flow.status(application_id) == "not_certified"
    assert flow.application(application_id).certified is False


def test_a_result_without_certificate_stands_after_30_days_without_an_answer(flow: Flow) -> None:
    flow.add_coupons("POOL-0014")
    officer = flow.officer()
    application_id = approve_and_confirm(flow, officer)
    flow.timers(RUN_RESULT_OPENS)
    flow.complete(
        officer, application_id, "report_result", {"final_grade": 40, "proctored_exam": "passed"}, RUN_RESULT_OPENS
    )
    flow.timers(RUN_RESULT_OPENS + timedelta(days=29))
    assert flow.open_tasks(application_id) == ["confirm_result"]
    flow.timers(RUN_RESULT_OPENS + timedelta(days=30, minutes=1))
    assert flow.status(application_id) == "not_certified"
    assert flow.open_tasks(application_id) == []


def test_a_grade_typed_wrong_is_corrected_and_the_form_opens_with_what_was_sent(flow: Flow) -> None:
    flow.add_coupons("POOL-0015")
    officer = flow.officer()
    application_id = approve_and_confirm(flow, officer)
    flow.timers(RUN_RESULT_OPENS)
    certificate = flow.upload(officer)
    typo = {"final_grade": 45, "proctored_exam": "passed", "certificate_upload": certificate}
    flow.complete(officer, application_id, "report_result", typo, RUN_RESULT_OPENS)
    flow.complete(officer, application_id, "confirm_result", {"decision": "correct"}, RUN_RESULT_OPENS)

    assert flow.status(application_id) == "awaiting_result"
    assert flow.prefill(application_id, "report_result") == typo
    flow.complete(officer, application_id, "report_result", dict(typo, final_grade=54), RUN_RESULT_OPENS)
    assert flow.status(application_id) == "awaiting_claim"
    assert flow.application(application_id).certified is True


def test_a_result_is_corrected_from_the_claim_step_until_dopt_verifies_the_claim(flow: Flow) -> None:
    officer = flow.officer()
    application_id = to_claim(flow, officer, "POOL-0016")
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "return", "remarks": "Wrong certificate."})
    # As the claim form posts it: the values it opened with, and the box ticked.
    sent_again = dict(flow.prefill(application_id, "submit_claim") or {}, correct_result=True)
    flow.complete(officer, application_id, "submit_claim", sent_again, RUN_RESULT_OPENS)

    assert flow.status(application_id) == "awaiting_result"
    assert flow.open_tasks(application_id) == ["report_result"]
    corrected = passed_result(flow.upload(officer))
    flow.complete(officer, application_id, "report_result", corrected, RUN_RESULT_OPENS)
    assert flow.open_tasks(application_id) == ["submit_claim"]
    prefill = flow.prefill(application_id, "submit_claim")
    assert prefill is not None and prefill["bank_account_number"] == CLAIM["bank_account_number"]
    assert "correct_result" not in prefill and "declaration" not in prefill


def test_a_claim_returned_for_correction_opens_with_what_the_officer_sent(flow: Flow) -> None:
    officer = flow.officer()
    application_id = to_claim(flow, officer, "POOL-0017")
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "return", "remarks": "Proof unreadable."})

    prefill = flow.prefill(application_id, "submit_claim")
    assert prefill is not None
    assert {key: prefill[key] for key in ("amount_paid_usd", "bank_account_number", "ifsc")} == {
        key: CLAIM[key] for key in ("amount_paid_usd", "bank_account_number", "ifsc")
    }
    assert prefill["payment_proof_upload"]


def test_a_staff_task_opened_again_is_not_prefilled_with_the_last_decision(flow: Flow) -> None:
    officer = flow.officer()
    application_id = flow.apply(officer)
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "return", "remarks": "Which run?"})
    flow.complete(officer, application_id, "respond_clarification", {"response": "March."})

    assert flow.prefill(application_id, "cca_approval") is None


def test_paid_claim_ends_reimbursed(flow: Flow) -> None:
    officer = flow.officer()
    application_id = to_claim(flow, officer, "POOL-0005")
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "approve"}, RUN_RESULT_OPENS)
    assert flow.status(application_id) == "awaiting_payment"
    payment = {
        "sanction_number": "DOPT/TRG/2027/17",
        "paid_on": "2027-06-16",
        "amount_inr": 8350.5,
        "exchange_rate": 83.505,
        "payment_reference": "UTR0001",
    }
    flow.complete(flow.finance, application_id, "record_payment", payment, RUN_RESULT_OPENS)
    application = flow.application(application_id)
    assert application.status == "reimbursed"
    assert application.certified is True
    assert "UTR0001" in flow.notification_bodies(officer)


def test_rejected_claim_ends_rejected_by_dopt(flow: Flow) -> None:
    application_id = to_claim(flow, flow.officer(), "POOL-0006")
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "reject", "remarks": "Forged."})
    assert flow.status(application_id) == "rejected_by_dopt"


def test_returned_claim_goes_back_to_the_officer(flow: Flow) -> None:
    officer = flow.officer()
    application_id = to_claim(flow, officer, "POOL-0007")
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "return", "remarks": "Proof unreadable."})
    assert flow.status(application_id) == "awaiting_claim"
    assert flow.open_tasks(application_id) == ["submit_claim"]


def test_withdrawal_ends_withdrawn_and_empties_inboxes(flow: Flow) -> None:
    officer = flow.officer()
    application_id = flow.apply(officer)
    flow.withdraw(officer, application_id)
    assert flow.status(application_id) == "withdrawn"
    assert flow.open_tasks(application_id) == []


def test_final_application_cannot_be_withdrawn(flow: Flow) -> None:
    officer = flow.officer(service="OTHER")
    application_id = flow.apply(officer)
    with pytest.raises(Conflict):
        flow.withdraw(officer, application_id)


def test_second_live_application_for_the_same_course_is_ineligible(flow: Flow) -> None:
    officer = flow.officer()
    flow.apply(officer)
    second = flow.apply(officer)
    assert flow.status(second) == "ineligible"


def test_application_after_the_last_date_is_ineligible(db: Database, settings: Settings) -> None:
    flow = Flow(db, settings, closes_on=date(2027, 1, 9))
    application_id = flow.apply(flow.officer())
    assert flow.status(application_id) == "ineligible"


def test_ineligible_officer_is_told_every_reason(flow: Flow) -> None:
    officer = flow.officer(service="OTHER")
    flow.apply(officer)
    assert flow.notifications(officer)[0].startswith("Not eligible")
    assert "Other" in flow.notification_bodies(officer) or "OTHER" in flow.notification_bodies(officer)


def test_officer_is_told_when_the_result_is_due(flow: Flow) -> None:
    flow.add_coupons("POOL-0009")
    officer = flow.officer()
    approve_and_confirm(flow, officer)
    flow.timers(RUN_RESULT_OPENS)
    assert "Action needed: Report course result" in flow.notifications(officer)


def _awaiting_claim(flow: Flow, officer: str, code: str) -> int:
    flow.add_coupons(code)
    application_id = approve_and_confirm(flow, officer)
    flow.timers(RUN_RESULT_OPENS)
    flow.complete(officer, application_id, "report_result", passed_result(flow.upload(officer)), RUN_RESULT_OPENS)
    return application_id


def test_a_course_is_reimbursed_once_per_officer_ever(flow: Flow) -> None:
    from engine.errors import Invalid
    from engine.models import Application

    officer = flow.officer()
    application_id = _awaiting_claim(flow, officer, "POOL-0010")
    with flow.db.sessions() as session, session.begin():
        current = session.get_one(Application, application_id)
        # An earlier, reimbursed application for the same course (e.g. carried over from the old records).
        session.add(
            Application(
                officer_id=current.officer_id,
                course_run_id=current.course_run_id,
                course_code=current.course_code,
                cca_code=current.cca_code,
                status="reimbursed",
            )
        )
    claim = dict(CLAIM, payment_proof_upload=flow.upload(officer))
    with pytest.raises(Invalid) as caught:
        flow.complete(officer, application_id, "submit_claim", claim, RUN_RESULT_OPENS)
    assert "already been reimbursed" in caught.value.fields["amount_paid_usd"]


def test_claim_may_reach_a_raised_cap_of_the_run(db: Database, settings: Settings) -> None:
    flow = Flow(db, settings, cap=175)
    officer = flow.officer()
    application_id = _awaiting_claim(flow, officer, "POOL-0011")
    claim = dict(CLAIM, amount_paid_usd=150, payment_proof_upload=flow.upload(officer))
    flow.complete(officer, application_id, "submit_claim", claim, RUN_RESULT_OPENS)
    assert flow.status(application_id) == "claim_under_verification"


def test_claim_above_the_cap_names_the_cap(flow: Flow) -> None:
    from engine.errors import Invalid

    officer = flow.officer()
    application_id = _awaiting_claim(flow, officer, "POOL-0012")
    claim = dict(CLAIM, amount_paid_usd=100.5, payment_proof_upload=flow.upload(officer))
    with pytest.raises(Invalid) as caught:
        flow.complete(officer, application_id, "submit_claim", claim, RUN_RESULT_OPENS)
    assert "100" in caught.value.fields["amount_paid_usd"]
