"""What a new user tripped on, each fixed for its whole kind: applications named by course and
run, Apply offered only where it can succeed, forms reopened with what was sent, attachments to
answers, results corrected, the coupon box while it helps, names instead of codes, amounts with
their currency, dates as DD-MM-YYYY, and bank details tidied rather than refused."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import HumanTask
from tests.engine.flow import CLAIM, Flow, approve_and_confirm, passed_result
from tests.factories import make_run
from tests.integration.ui import csrf_token, field_error, post_form, sign_in

RUN_HAS_ENDED = datetime.fromisoformat("2027-06-16T00:00:01+05:30")
PDF = b"%PDF-1.4\n% a tiny document\n"
COURSE = "The Challenges of Global Poverty"


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    return Flow(db, settings)


def visible_text(html: str) -> str:
    """What a person reads: the page without tags, attributes, scripts or hidden form values."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def task_page(client: FlaskClient, flow: Flow, application_id: int, name: str) -> tuple[str, str]:
    with flow.db.sessions() as session:
        task_id = session.scalars(
            select(HumanTask.id).where(
                HumanTask.application_id == application_id, HumanTask.name == name, HumanTask.state == "open"
            )
        ).one()
    return task_id, client.get(f"/tasks/{task_id}").text


def at_claim(flow: Flow, app: Flask, code: str) -> tuple[str, int]:
    """An officer certified and asked to claim, the site's clock after the run."""
    flow.add_coupons(code)
    officer = flow.officer()
    application_id = approve_and_confirm(flow, officer)
    flow.timers(RUN_HAS_ENDED)
    flow.complete(officer, application_id, "report_result", passed_result(flow.upload(officer)), RUN_HAS_ENDED)
    app.config["IGOT_NOW"] = RUN_HAS_ENDED
    return officer, application_id


# Applications are named by course and run, never by number


def test_an_officers_applications_are_listed_and_linked_by_course_and_run(client: FlaskClient, flow: Flow) -> None:
    officer = flow.officer()
    application_id = flow.apply(officer)
    sign_in(client, officer)

    listed = client.get("/applications").text
    link = re.search(rf'<a href="/applications/{application_id}">([^<]+)</a>', listed)
    assert link and link.group(1) == COURSE
    assert "March 2027 run" in visible_text(listed)
    assert not re.search(r"Application \d+", visible_text(listed))
    sign_in(client, flow.cca_approver)
    messages = client.get("/notifications").text
    assert f'<a href="/applications/{application_id}">{COURSE}, March 2027 run</a>' in messages


# Apply is offered only where it can succeed


def test_apply_is_not_offered_for_a_course_under_way_and_the_page_says_why(client: FlaskClient, flow: Flow) -> None:
    officer = flow.officer()
    application_id = flow.apply(officer)
    sign_in(client, officer)

    courses = client.get("/courses").text
    assert f"/runs/{flow.run_id}/apply" not in courses
    assert "Your application for this course is under way" in visible_text(courses)
    apply_page = client.get(f"/runs/{flow.run_id}/apply").text
    assert "Submit application" not in apply_page
    assert f'href="/applications/{application_id}"' in apply_page

    refused = post_form(client, f"/runs/{flow.run_id}/apply", {"declaration": "y"})
    assert refused.status_code == 409
    assert flow.open_tasks(application_id) == ["cca_approval"]  # no second application


def test_apply_is_not_offered_for_a_course_already_certified(client: FlaskClient, app: Flask, flow: Flow) -> None:
    officer, _application_id = at_claim(flow, app, "CERT-0001")
    sign_in(client, officer)

    assert "You have earned the certificate of this course" in visible_text(
        client.get(f"/runs/{flow.run_id}/apply").text
    )


def test_the_one_course_at_a_time_warning_shows_before_submitting(client: FlaskClient, flow: Flow) -> None:
    officer = flow.officer()
    flow.apply(officer)
    with flow.db.sessions() as session, session.begin():
        other_run = make_run(session, course="DASS").id
    sign_in(client, officer)

    page = visible_text(client.get(f"/runs/{other_run}/apply").text)

    assert "One course at a time is encouraged" in page
    assert f"{COURSE}, March 2027 run" in page
    assert "Submit application" in page  # a warning, not a refusal


# A claim returned for correction comes back as it was sent, and says it was returned


def test_a_returned_claim_opens_with_what_was_sent_and_its_status_says_returned(
    client: FlaskClient, app: Flask, flow: Flow
) -> None:
    officer, application_id = at_claim(flow, app, "RET-0001")
    flow.complete(officer, application_id, "submit_claim", dict(CLAIM, payment_proof_upload=flow.upload(officer)))
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "return", "remarks": "Proof unreadable."})
    sign_in(client, officer)

    _task_id, page = task_page(client, flow, application_id, "submit_claim")

    assert 'value="100"' in page and 'value="123456789012"' in page and 'value="SBIN0001234"' in page
    assert "Attached: <strong>certificate.pdf</strong>" in page
    assert "DoPT returned your claim for correction: Proof unreadable." in page
    assert 'id="field-declaration" name="declaration"' in page and "checked" not in re.search(
        r'<input type="checkbox"[^>]*id="field-declaration"[^>]*>', page
    ).group(0)
    for path in (f"/applications/{application_id}", "/applications"):
        assert "Claim returned for correction" in client.get(path).text


# A clarification can be answered with a document, which the approver sees


def test_an_answer_to_a_clarification_carries_a_document_the_approver_sees(client: FlaskClient, flow: Flow) -> None:
    officer = flow.officer()
    application_id = flow.apply(officer)
    flow.complete(
        flow.cca_approver, application_id, "cca_approval", {"decision": "return", "remarks": "Relieving order?"}
    )
    sign_in(client, officer)
    task_id, page = task_page(client, flow, application_id, "respond_clarification")
    assert 'enctype="multipart/form-data"' in page

    response = client.post(
        f"/tasks/{task_id}",
        data={
            "csrf_token": csrf_token(client, f"/tasks/{task_id}"),
            "response": "Attached.",
            "attachment_upload": (io.BytesIO(PDF), "relieving-order.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302

    sign_in(client, flow.cca_approver)
    _task_id, approver_page = task_page(client, flow, application_id, "cca_approval")
    assert "relieving-order.pdf" in approver_page
    assert "The officer answered your question: Attached. (with a document" in approver_page


# A result reported with a typo can be corrected until DoPT acts on it


def test_a_result_is_corrected_from_the_claim_page_and_reopens_with_what_was_sent(
    client: FlaskClient, app: Flask, flow: Flow
) -> None:
    officer, application_id = at_claim(flow, app, "FIX-0001")
    sign_in(client, officer)
    task_id, claim_page = task_page(client, flow, application_id, "submit_claim")
    assert "Correct my reported result first" in claim_page

    response = post_form(client, f"/tasks/{task_id}", {"correct_result": "true"})

    assert response.status_code == 302
    _task_id, result_page = task_page(client, flow, application_id, "report_result")
    assert 'value="72.5"' in result_page and "Attached: <strong>certificate.pdf</strong>" in result_page
    assert "Correct the result you reported" in result_page
    assert "Result being corrected" in client.get(f"/applications/{application_id}").text


def test_a_result_without_certificate_asks_to_confirm_or_correct(client: FlaskClient, app: Flask, flow: Flow) -> None:
    flow.add_coupons("FIX-0002")
    officer = flow.officer()
    application_id = approve_and_confirm(flow, officer)
    flow.timers(RUN_HAS_ENDED)
    flow.complete(
        officer, application_id, "report_result", {"final_grade": 45, "proctored_exam": "passed"}, RUN_HAS_ENDED
    )
    app.config["IGOT_NOW"] = RUN_HAS_ENDED
    sign_in(client, officer)

    page = client.get(f"/applications/{application_id}").text
    assert "Result reported: no certificate" in page
    task_id, _page = task_page(client, flow, application_id, "confirm_result")
    post_form(client, f"/tasks/{task_id}", {"decision": "correct"})
    assert flow.open_tasks(application_id) == ["report_result"]


# The coupon box shows only while it is of use


def test_the_coupon_box_shows_while_enrolled_and_not_after_the_course(
    client: FlaskClient, app: Flask, flow: Flow
) -> None:
    flow.add_coupons("BOX-0001")
    officer = flow.officer()
    application_id = approve_and_confirm(flow, officer)
    sign_in(client, officer)
    assert "BOX-0001" in client.get(f"/applications/{application_id}").text

    flow.timers(RUN_HAS_ENDED)
    app.config["IGOT_NOW"] = RUN_HAS_ENDED

    assert "BOX-0001" not in client.get(f"/applications/{application_id}").text


# Names, not codes, wherever people read


# A CCA code, a course code, a service code as the processes wrote it ("(Under Secretary, IAS)"),
# a status code, a sha256 or a task id.
CODES = re.compile(
    r"\bDOPT-IAS\b|\bCGP\b|[(,] ?(?:IAS|CCS_A|SCS|OTHER)\)|\bawaiting_\w+|\b(?=[0-9a-f]*[a-f])[0-9a-f]{12,64}\b"
)


def test_pages_people_read_name_things_rather_than_show_their_codes(
    client: FlaskClient, app: Flask, flow: Flow
) -> None:
    officer = flow.officer()
    application_id = flow.apply(officer)
    sign_in(client, officer)
    officer_pages = ["/applications", f"/applications/{application_id}", "/courses", "/notifications", "/profile"]
    sign_in(client, flow.cca_approver)
    task_id, _page = task_page(client, flow, application_id, "cca_approval")
    approver_pages = ["/inbox", f"/tasks/{task_id}", f"/applications/{application_id}"]

    found = {}
    for user, pages in ((officer, officer_pages), (flow.cca_approver, approver_pages)):
        sign_in(client, user)
        for path in pages:
            codes = CODES.findall(visible_text(client.get(path).text))
            if codes:
                found[path] = codes
    assert found == {}


# Amounts with currency, two decimals and Indian grouping


AMOUNT = re.compile(r"(?:USD|INR|₹)\s?[0-9][0-9,]*(?:\.[0-9]+)?")


def test_every_amount_people_read_has_its_currency_and_two_decimals(
    client: FlaskClient, app: Flask, flow: Flow
) -> None:
    officer, application_id = at_claim(flow, app, "AMT-0001")
    flow.complete(officer, application_id, "submit_claim", dict(CLAIM, payment_proof_upload=flow.upload(officer)))
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "approve"})
    payment = {
        "sanction_number": "S-1",
        "paid_on": "2027-01-05",
        "amount_inr": 123456.5,
        "exchange_rate": 83.5,
        "payment_reference": "UTR1",
        "confirm_difference": True,  # far from USD 100 x 83.5: confirmed on purpose, to show a large amount
    }
    sign_in(client, flow.finance)
    _task_id, finance_page = task_page(client, flow, application_id, "record_payment")
    flow.complete(flow.finance, application_id, "record_payment", payment)
    sign_in(client, officer)
    texts = visible_text(finance_page) + visible_text(client.get("/notifications").text)

    amounts = AMOUNT.findall(texts)
    assert "USD 100.00" in amounts and "₹1,23,456.50" in amounts
    assert [amount for amount in amounts if not re.search(r"\.[0-9]{2}$", amount)] == []


# Dates typed as DD-MM-YYYY in every form, read strictly


def test_a_date_in_a_task_form_is_typed_as_dd_mm_yyyy(client: FlaskClient, app: Flask, flow: Flow) -> None:
    officer, application_id = at_claim(flow, app, "DAY-0001")
    flow.complete(officer, application_id, "submit_claim", dict(CLAIM, payment_proof_upload=flow.upload(officer)))
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "approve"})
    sign_in(client, flow.finance)
    task_id, page = task_page(client, flow, application_id, "record_payment")
    assert "As DD-MM-YYYY, for example 05-03-1984." in page
    payment = {
        "sanction_number": "S-2",
        "amount_inr": "8350",
        "exchange_rate": "83.5",
        "payment_reference": "UTR2",
    }

    wrong = post_form(client, f"/tasks/{task_id}", payment | {"paid_on": "2027-01-05"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, "paid_on") == "Enter the date as DD-MM-YYYY, for example 05-03-1984."
    assert flow.status(application_id) == "awaiting_payment"

    right = post_form(client, f"/tasks/{task_id}", payment | {"paid_on": "05-01-2027"})
    assert right.status_code == 302
    assert flow.status(application_id) == "reimbursed"


# Bank details typed naturally are tidied, on pages and in the API alike


def test_an_ifsc_in_lower_case_and_an_account_number_in_groups_are_tidied(
    client: FlaskClient, app: Flask, flow: Flow
) -> None:
    officer, application_id = at_claim(flow, app, "BANK-0001")
    sign_in(client, officer)
    task_id, _page = task_page(client, flow, application_id, "submit_claim")
    response = client.post(
        f"/tasks/{task_id}",
        data={
            "csrf_token": csrf_token(client, f"/tasks/{task_id}"),
            "amount_paid_usd": "100",
            "bank_account_number": "1234 5678 9012",
            "ifsc": "sbin0001234",
            "declaration": "true",
            "payment_proof_upload": (io.BytesIO(PDF), "receipt.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    sign_in(client, flow.finance)
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "approve"})
    _task_id, finance_page = task_page(client, flow, application_id, "record_payment")
    assert "account 123456789012 (IFSC SBIN0001234)" in finance_page
