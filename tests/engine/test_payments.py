"""Finance records payments: the form's checks, the ledger row written by the step, the queue,
the totals, and the bank file in CSV and XLSX holding the same rows."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from engine.bootstrap import Database
from engine.config import Settings
from engine.errors import Invalid
from engine.host import ScriptHost, payment_values
from engine.models import Application, HumanTask, Payment, User
from engine.sandbox import SandboxError
from engine.services.bank_batch import COLUMNS, bank_csv, bank_rows, bank_xlsx
from engine.services.payments import ledger, ledger_totals, payment_queue
from tests.engine.flow import PAYMENT, RUN_RESULT_OPENS, Flow, to_payment

# 20:00 UTC on 16 June is 01:30 on 17 June in India: the 17th is today, the 18th the future.
LATE_EVENING_UTC = datetime.fromisoformat("2027-06-16T20:00:00+00:00")


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    return Flow(db, settings)


def _user(session: object, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()  # type: ignore[attr-defined]


def _pay(flow: Flow, application_id: int, at: datetime = LATE_EVENING_UTC, **changes: object) -> None:
    flow.complete(flow.finance, application_id, "record_payment", {**PAYMENT, **changes}, at)


def _refusal(flow: Flow, application_id: int, **changes: object) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        _pay(flow, application_id, **changes)
    return refused.value.fields


def test_payment_dated_in_the_future_in_india_is_refused(flow: Flow) -> None:
    application_id = to_payment(flow, flow.officer(), "PAY-0001")

    assert _refusal(flow, application_id, paid_on="2027-06-18") == {
        "paid_on": "The date of payment cannot be in the future (the date in India today)"
    }
    assert flow.status(application_id) == "awaiting_payment"


def test_payment_dated_today_in_india_though_tomorrow_in_utc_is_recorded(flow: Flow) -> None:
    application_id = to_payment(flow, flow.officer(), "PAY-0002")

    _pay(flow, application_id, paid_on="2027-06-17")

    assert flow.status(application_id) == "reimbursed"


def test_rupees_more_than_two_percent_off_ask_for_a_confirmation(flow: Flow) -> None:
    application_id = to_payment(flow, flow.officer(), "PAY-0003")

    # USD 100 claimed at 83.5 is 8,350; 8,600 is 3 % more.
    errors = _refusal(flow, application_id, amount_inr=8600)

    assert list(errors) == ["amount_inr"]
    assert "tick the confirmation" in errors["amount_inr"]
    assert flow.status(application_id) == "awaiting_payment"
    with flow.db.sessions() as session:
        assert session.scalars(select(Payment)).all() == []


def test_rupees_within_two_percent_need_no_confirmation(flow: Flow) -> None:
    application_id = to_payment(flow, flow.officer(), "PAY-0004")

    _pay(flow, application_id, amount_inr=8500)  # 1.8 % over

    with flow.db.sessions() as session:
        payment = session.scalars(select(Payment).where(Payment.application_id == application_id)).one()
    assert (payment.amount_inr, payment.difference_confirmed) == (Decimal("8500.00"), False)


def test_confirmed_difference_goes_through_and_is_kept_with_the_payment(flow: Flow) -> None:
    officer = flow.officer(full_name="Anita Desai")
    application_id = to_payment(flow, officer, "PAY-0005")

    _pay(flow, application_id, amount_inr=8600, confirm_difference=True)

    assert flow.status(application_id) == "reimbursed"
    with flow.db.sessions() as session:
        payment = session.scalars(select(Payment).where(Payment.application_id == application_id)).one()
    assert payment.difference_confirmed is True
    assert (payment.beneficiary_name, payment.bank_account_number, payment.ifsc) == (
        "Anita Desai",
        "123456789012",
        "SBIN0001234",
    )
    assert (payment.amount_usd, payment.exchange_rate, payment.paid_on) == (
        Decimal("100.00"),
        Decimal("83.5000"),
        date(2027, 6, 16),
    )
    assert (payment.sanction_number, payment.reference, payment.recorded_by) == (
        "DOPT/TRG/2027/17",
        "UTR0001",
        flow.finance,
    )


def test_queue_lists_the_approved_claims_with_the_amount_and_days_waiting(flow: Flow) -> None:
    waiting = to_payment(flow, flow.officer(full_name="Ravi Kumar"), "PAY-0006")
    paid = to_payment(flow, flow.officer(), "PAY-0007")
    _pay(flow, paid)

    with flow.db.sessions() as session:
        user = _user(session, flow.dopt)
        rows, total = payment_queue(session, user, LATE_EVENING_UTC.replace(day=26), 50, 0)

    assert total == 1
    assert [(row.application.id, row.officer_name, row.claimed_usd, row.days_waiting) for row in rows] == [
        (waiting, "Ravi Kumar", 100.0, 11)  # approved at 18:30 UTC on 15 June
    ]


def _ledger_of_three(flow: Flow) -> list[int]:
    """Three payments: two in June for this run, one in July for another run of the same course."""
    first = to_payment(flow, flow.officer(full_name="Asha Rao"), "PAY-0101")
    _pay(flow, first, paid_on="2027-06-16", amount_inr=8350)
    second = to_payment(flow, flow.officer(full_name="=HYPERLINK(1)"), "PAY-0102")
    _pay(flow, second, paid_on="2027-06-17", amount_inr=8400.5, exchange_rate=84)
    other = Flow(flow.db, flow.settings)
    third = to_payment(other, other.officer(full_name="Meera Iyer"), "PAY-0103")
    july = datetime.fromisoformat("2027-07-02T10:00:00+05:30")
    other.complete(other.finance, third, "record_payment", {**PAYMENT, "paid_on": "2027-07-01"}, july)
    return [first, second, third]


def test_ledger_totals_by_month_and_by_run_equal_the_payments(flow: Flow) -> None:
    _ledger_of_three(flow)

    with flow.db.sessions() as session:
        user = _user(session, flow.finance)
        totals = ledger_totals(session, user, None, None)
        june = ledger_totals(session, user, date(2027, 6, 1), date(2027, 6, 30))

    assert [(t.key, t.count, t.usd, t.inr) for t in totals.by_month] == [
        ("2027-06", 2, Decimal("200.00"), Decimal("16750.50")),
        ("2027-07", 1, Decimal("100.00"), Decimal("8350.00")),
    ]
    assert sorted((t.count, t.inr) for t in totals.by_run) == [(1, Decimal("8350.00")), (2, Decimal("16750.50"))]
    assert (totals.overall.count, totals.overall.usd, totals.overall.inr) == (3, Decimal("300.00"), Decimal("25100.50"))
    assert (june.overall.count, june.overall.inr, len(june.by_run)) == (2, Decimal("16750.50"), 1)


def test_bank_file_csv_and_xlsx_hold_the_same_rows_in_the_bank_layout(flow: Flow) -> None:
    ids = _ledger_of_three(flow)
    with flow.db.sessions() as session:
        payments, total = ledger(session, _user(session, flow.finance), None, None, None)
        expected = bank_rows(payments)
        from_csv = list(csv.reader(io.StringIO(bank_csv(payments).decode("utf-8"))))
        sheet = load_workbook(io.BytesIO(bank_xlsx(payments))).active

    assert total == 3
    assert from_csv[0] == list(COLUMNS)
    assert from_csv[1:] == expected
    assert from_csv[1] == [
        "Asha Rao",
        "123456789012",
        "SBIN0001234",
        "8350.00",
        "UTR0001",
        f"IGOT MM REIMB APP {ids[0]}",
        "DOPT/TRG/2027/17",
        "16-06-2027",
    ]
    assert from_csv[2][0] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert from_csv[2][3] == "8400.50"
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)
    as_text = [[f"{value:.2f}" if isinstance(value, float | int) else value for value in row] for row in rows[1:]]
    assert as_text == expected
    assert sheet.cell(row=2, column=2).data_type == "s"  # account numbers stay text
    assert sheet.cell(row=2, column=4).number_format == "0.00"


def test_record_payment_helper_pays_an_application_once(flow: Flow) -> None:
    application_id = to_payment(flow, flow.officer(), "PAY-0201")
    arguments = {
        "sanction_number": "S-1",
        "paid_on": "2027-06-16",
        "amount_inr": 8350.555,
        "exchange_rate": 83.5,
        "reference": "R-1",
        "amount_usd": 100,
        "bank_account_number": "123456789012",
        "ifsc": "SBIN0001234",
    }
    with flow.db.sessions() as session, session.begin():
        host = ScriptHost(session, session.get_one(Application, application_id), flow.finance, RUN_RESULT_OPENS)
        host.record_payment(**arguments)
        session.flush()
        with pytest.raises(SandboxError, match="paid already"):
            host.record_payment(**arguments)
        payment = session.scalars(select(Payment)).one()
        assert payment.amount_inr == Decimal("8350.56")  # rounded half up to paise


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("paid_on", "16-06-2027"),
        ("amount_inr", 0),
        ("ifsc", "sbin0001234"),
        ("bank_account_number", "12 34"),
        ("reference", ""),
    ],
)
def test_record_payment_helper_names_a_bad_argument(name: str, value: object) -> None:
    arguments: dict[str, object] = {
        "sanction_number": "S-1",
        "paid_on": "2027-06-16",
        "amount_inr": 8350,
        "exchange_rate": 83.5,
        "reference": "R-1",
        "amount_usd": 100,
        "bank_account_number": "123456789012",
        "ifsc": "SBIN0001234",
    }
    with pytest.raises(SandboxError, match=name):
        payment_values(**{**arguments, name: value})


def test_payment_task_keeps_the_amount_its_diagram_names_and_the_queue_reads_it(flow: Flow) -> None:
    application_id = to_payment(flow, flow.officer(), "SUMM-0001")
    with flow.db.sessions() as session:
        task = session.scalars(
            select(HumanTask).where(HumanTask.application_id == application_id, HumanTask.state == "open")
        ).one()
        assert (task.name, task.summary) == ("record_payment", {"amount_paid_usd": 100})


def test_queue_reads_the_claim_from_the_task_data_of_a_task_opened_without_a_summary(flow: Flow) -> None:
    application_id = to_payment(flow, flow.officer(), "SUMM-0002")
    with flow.db.sessions() as session, session.begin():
        session.execute(update(HumanTask).where(HumanTask.application_id == application_id).values(summary=None))

    with flow.db.sessions() as session:
        rows, _total = payment_queue(session, _user(session, flow.finance), LATE_EVENING_UTC, 50, 0)

    assert [(row.application.id, row.claimed_usd) for row in rows] == [(application_id, 100.0)]


def test_payment_task_opened_without_a_summary_is_checked_against_its_claim_all_the_same(flow: Flow) -> None:
    application_id = to_payment(flow, flow.officer(), "SUMM-0003")
    with flow.db.sessions() as session, session.begin():
        session.execute(update(HumanTask).where(HumanTask.application_id == application_id).values(summary=None))

    assert list(_refusal(flow, application_id, amount_inr=8600)) == ["amount_inr"]
