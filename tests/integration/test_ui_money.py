"""The coupon pool, payments and the decider's screen as pages: who may open them, an upload
reported by line, voiding with a confirmation, recording a payment, and what the officer sees."""

from __future__ import annotations

import html
import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Coupon, HumanTask, Payment
from tests.engine.flow import PAYMENT, RUN_RESULT_OPENS, Flow, to_claim, to_payment
from tests.factories import make_staff
from tests.integration.test_ui_workflow import field_error
from tests.integration.ui import csrf_token, sign_in

FIFTY = [f"CGP27-{number:04d}" for number in range(1, 51)]


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    flow = Flow(db, settings)
    with db.sessions() as session, session.begin():
        make_staff(session, "officer", username="plain.officer")
    return flow


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize(
    ("who", "coupons", "payments"),
    [
        ("course_team", 200, 403),
        ("finance", 403, 200),
        ("dopt", 200, 200),
        ("cca_approver", 403, 403),
        ("officer", 403, 403),
    ],
)
def test_each_role_opens_only_its_pages_and_its_menu_links_them(
    client: FlaskClient, flow: Flow, who: str, coupons: int, payments: int
) -> None:
    usernames = {
        "course_team": flow.course_team,
        "finance": flow.finance,
        "dopt": flow.dopt,
        "cca_approver": flow.cca_approver,
        "officer": "plain.officer",
    }
    sign_in(client, usernames[who])

    assert client.get("/coupons").status_code == coupons
    assert client.get(f"/coupons/runs/{flow.run_id}").status_code == coupons
    assert client.get("/payments").status_code == payments
    assert client.get("/payments/ledger").status_code == payments
    assert client.get("/payments/ledger.csv").status_code == payments
    menu = client.get("/notifications").text.split('class="main-nav__links"')[1].split("</ul>")[0]
    assert ('href="/coupons"' in menu) == (coupons == 200)
    assert ('href="/payments"' in menu) == (payments == 200)


def flow_task(flow: Flow, application_id: int, name: str) -> str:
    with flow.db.sessions() as session:
        query = select(HumanTask.id).where(
            HumanTask.application_id == application_id, HumanTask.name == name, HumanTask.state == "open"
        )
        return str(session.scalars(query).one())


def _upload(client: FlaskClient, run_id: int, **data: object) -> str:
    token = csrf_token(client, f"/coupons/runs/{run_id}")
    response = client.post(f"/coupons/runs/{run_id}", data={"csrf_token": token, **data}, follow_redirects=True)
    assert response.status_code == 200, response.text
    return response.text


def _count(flow: Flow) -> int:
    with flow.db.sessions() as session:
        return int(session.scalar(select(func.count(Coupon.id)).where(Coupon.course_run_id == flow.run_id)) or 0)


def test_csv_of_fifty_codes_with_two_duplicates_and_one_malformed_is_reported_then_the_valid_added(
    client: FlaskClient, flow: Flow
) -> None:
    flow.add_coupons("CGP27-0050")  # already in the pool: line 51 of the file
    lines = ["Coupon code", *FIFTY]
    lines[5] = "CGP27-0002"  # line 6 repeats line 3
    lines[40] = "CGP 27/40"  # line 41 is no code
    sign_in(client, flow.course_team)

    page = _upload(client, flow.run_id, file=(io.BytesIO("\n".join(lines).encode()), "codes.csv"))

    report = _text(page.split('class="panel panel--action upload-report"')[1].split("</section>")[0])
    assert "nothing has been added yet" in report
    assert "50 codes read: 47 can be added; 3 have a problem." in report
    assert "6 CGP27-0002 repeats line 3 of this upload" in report
    assert "41 CGP 27/40 not a code: use 4 to 64 letters, digits or hyphens" in report
    assert "51 CGP27-0050 already in this run's pool" in report
    assert _count(flow) == 1

    valid = re.search(r'name="valid_codes" value="([^"]*)"', page)
    assert valid
    done = _upload(client, flow.run_id, confirm="yes", valid_codes=valid.group(1))

    assert "Added 47 codes." in done
    assert _count(flow) == 48


def test_pasted_codes_without_problems_are_added_at_once(client: FlaskClient, flow: Flow) -> None:
    sign_in(client, flow.course_team)

    page = _upload(client, flow.run_id, codes="\n".join(FIFTY[:10]))

    assert "Added 10 codes." in page
    assert _count(flow) == 10


def test_dopt_sees_the_pool_but_cannot_upload(client: FlaskClient, flow: Flow) -> None:
    sign_in(client, flow.dopt)
    page = client.get(f"/coupons/runs/{flow.run_id}").text
    assert "Check and add the codes" not in page

    token = csrf_token(client, f"/coupons/runs/{flow.run_id}")
    response = client.post(f"/coupons/runs/{flow.run_id}", data={"csrf_token": token, "codes": "DOPT-0001"})

    assert response.status_code == 403
    assert _count(flow) == 0


def test_voiding_asks_for_a_reason_on_a_confirmation_page(client: FlaskClient, flow: Flow) -> None:
    flow.add_coupons("VOID-0001")
    sign_in(client, flow.course_team)
    pool = client.get(f"/coupons/runs/{flow.run_id}").text
    assert 'href="/coupons/codes/VOID-0001/void"' in pool

    confirm = client.get("/coupons/codes/VOID-0001/void").text
    assert "Void code VOID-0001?" in confirm
    token = csrf_token(client, "/coupons/codes/VOID-0001/void")
    missing = client.post("/coupons/codes/VOID-0001/void", data={"csrf_token": token, "reason": ""})
    assert missing.status_code == 422
    assert field_error(missing.text, "reason").startswith("Give the reason")

    done = client.post(
        "/coupons/codes/VOID-0001/void",
        data={"csrf_token": token, "reason": "Reported as leaked."},
        follow_redirects=True,
    )

    assert "Code VOID-0001 is voided; it will never be given." in done.text
    assert "Reported as leaked." in done.text
    with flow.db.sessions() as session:
        assert session.scalars(select(Coupon.voided_by).where(Coupon.code == "VOID-0001")).one() == flow.course_team


def test_a_used_code_cannot_be_voided_from_the_page(client: FlaskClient, flow: Flow) -> None:
    to_claim(flow, flow.officer(), "USED-0001")
    sign_in(client, flow.course_team)
    assert 'href="/coupons/codes/USED-0001/void"' not in client.get(f"/coupons/runs/{flow.run_id}").text
    token = csrf_token(client, "/coupons/codes/USED-0001/void")

    done = client.post(
        "/coupons/codes/USED-0001/void", data={"csrf_token": token, "reason": "Mistake."}, follow_redirects=True
    )

    assert "The code was not voided" in done.text and "cannot be voided" in done.text


def test_pool_page_warns_when_fewer_codes_are_left_than_applications_waiting(
    client: FlaskClient, db: Database, settings: Settings
) -> None:
    flow = Flow(db, settings, cca="DOPT-CSS")
    flow.add_coupons("LOW-0001")
    for _ in range(3):
        flow.apply(flow.officer(service="CSS_A", cca="DOPT-CSS"))
    sign_in(client, flow.course_team)

    page = _text(client.get(f"/coupons/runs/{flow.run_id}").text)
    overview = client.get("/coupons").text

    assert "Too few codes. 1 unused codes are left for 3 applications waiting" in page
    assert 'class="badge badge--low"' in overview


def test_verifier_sees_the_claim_and_exactly_this_applications_documents(client: FlaskClient, flow: Flow) -> None:
    officer = flow.officer()
    application_id = to_claim(flow, officer, "DOCS-0001")
    other = flow.upload(officer)  # the officer's file, not sent with this application
    task_id = flow_task(flow, application_id, "verify_claim")
    sign_in(client, flow.dopt)

    page = client.get(f"/tasks/{task_id}").text

    documents = page.split('id="documents-title"')[1].split("</section>")[0]
    assert len(re.findall(r'href="/files/([0-9a-f]+)"', documents)) == 2
    assert f'href="/files/{other}"' not in page
    assert "Course certificate" in documents and "Proof of payment" in documents
    claim = _text(page.split('id="claim-title"')[1].split("</section>")[0])
    assert "Amount claimed USD 100.00" in claim
    assert "Reimbursement limit of the run USD 100.00" in claim
    assert "123456789012" in claim and "SBIN0001234" in claim
    result = _text(page.split('id="result-title"')[1].split("</section>")[0])
    assert "Final grade 72.5" in result and "Proctored exam Passed" in result


def _record(client: FlaskClient, task_id: str, **changes: object) -> object:
    data = {**PAYMENT, "paid_on": "10-01-2027", **changes}
    token = csrf_token(client, f"/tasks/{task_id}")
    return client.post(f"/tasks/{task_id}", data={"csrf_token": token, **{k: str(v) for k, v in data.items()}})


def test_finance_records_a_payment_from_the_queue_and_the_officer_sees_it(client: FlaskClient, flow: Flow) -> None:
    officer = flow.officer(full_name="Kiran Rao")
    application_id = to_payment(flow, officer, "PAY-0001")
    task_id = flow_task(flow, application_id, "record_payment")
    sign_in(client, flow.finance)
    queue = client.get("/payments").text
    assert "Kiran Rao" in queue and "USD 100.00" in queue
    assert f'href="/tasks/{task_id}"' in queue
    form = client.get(f"/tasks/{task_id}").text
    assert "Amount claimed" in form  # the claim beside the form

    future = _record(client, task_id, paid_on="11-01-2027")  # the app's today is 10-01-2027 in India
    assert future.status_code == 422  # type: ignore[attr-defined]
    assert field_error(future.text, "paid_on").startswith("The date of payment cannot be in the future")  # type: ignore[attr-defined]
    off = _record(client, task_id, amount_inr="8,700")
    assert field_error(off.text, "amount_inr").startswith("The rupees differ by more than 2 per cent")  # type: ignore[attr-defined]
    done = _record(client, task_id, amount_inr="8,700", confirm_difference="true")
    assert done.status_code == 302  # type: ignore[attr-defined]

    with flow.db.sessions() as session:
        assert session.scalars(select(Payment.difference_confirmed)).one() is True
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/inbox")})
    sign_in(client, officer)
    page = _text(client.get(f"/applications/{application_id}").text)
    assert "Payment Paid ₹8,700.00 Paid on 10-01-2027" in page
    assert "Sanction number DOPT/TRG/2027/17" in page and "Payment reference UTR0001" in page
    assert "recorded the payment" in page


def test_ledger_page_shows_the_totals_and_offers_both_files(client: FlaskClient, flow: Flow) -> None:
    application_id = to_payment(flow, flow.officer(full_name="Asha Rao"), "LEDG-0001")
    flow.complete(flow.finance, application_id, "record_payment", PAYMENT, RUN_RESULT_OPENS)
    sign_in(client, flow.dopt)

    page = client.get("/payments/ledger?from=2027-06-01&to=2027-06-30").text

    months = _text(page.split('id="months-title"')[1].split("</section>")[0])
    assert "June 2027 1 USD 100.00 ₹8,350.00" in months
    assert "Asha Rao" in page
    assert 'href="/payments/ledger.csv?from=2027-06-01&amp;to=2027-06-30"' in page
    csv_file = client.get("/payments/ledger.csv?from=2027-06-01&to=2027-06-30")
    assert csv_file.headers["Content-Disposition"] == 'attachment; filename="payments.csv"'
    assert "Asha Rao,123456789012,SBIN0001234,8350.00" in csv_file.text
    assert "Asha Rao" not in client.get("/payments/ledger.csv?to=2027-05-31").text
    bad = client.get("/payments/ledger?from=2027-07-01&to=2027-06-01")
    assert bad.status_code == 422 and "The dates are reversed" in bad.text
    typed = client.get("/payments/ledger?from=01-06-2027&to=30-06-2027")
    assert typed.status_code == 200 and "Asha Rao" in typed.text
    reversed_typed = _text(client.get("/payments/ledger?from=01-12-2026&to=01-11-2026").text)
    assert "The dates are reversed" in reversed_typed and "YYYY-MM-DD" not in reversed_typed
    nonsense = _text(client.get("/payments/ledger?from=soon&to=later").text)
    assert "Paid on or after: Enter the date as DD-MM-YYYY" in nonsense
    assert "Paid on or before: Enter the date as DD-MM-YYYY" in nonsense


def test_history_of_a_returned_claim_reads_in_hindi_with_the_remarks_as_written(
    client: FlaskClient, flow: Flow
) -> None:
    officer = flow.officer()
    application_id = to_claim(flow, officer, "HINDI-0001")
    returned = {"decision": "return", "remarks": "Receipt unreadable."}
    flow.complete(flow.dopt, application_id, "verify_claim", returned, RUN_RESULT_OPENS)
    sign_in(client, officer)
    client.post("/language/hi", data={"csrf_token": csrf_token(client, "/inbox")})

    page = client.get(f"/applications/{application_id}").text

    assert "ने दावा सुधार के लिए लौटाया: Receipt unreadable." in page
