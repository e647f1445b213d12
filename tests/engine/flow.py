"""A small driver that walks applications through the engine's services, as people would."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Application, Coupon, HumanTask, Notification, Upload, User
from engine.services.applications import submit_application, withdraw_application
from engine.services.tasks import complete_task
from engine.services.timers import fire_due_timers
from tests.factories import NOW, make_officer, make_run, make_staff


class Flow:
    """Staff of every role, a run, and helpers that each run one transaction."""

    def __init__(self, db: Database, settings: Settings, cca: str = "DOPT-IAS", **run: Any) -> None:
        self.db = db
        self.settings = settings
        with db.sessions() as session, session.begin():
            self.cca_approver = make_staff(session, "cca_approver", cca).username
            self.dopt = make_staff(session, "dopt").username
            self.course_team = make_staff(session, "course_team").username
            self.finance = make_staff(session, "finance").username
            self.run_id = make_run(session, **run).id

    def officer(self, **overrides: Any) -> str:
        with self.db.sessions() as session, session.begin():
            return make_officer(session, **overrides).username

    def add_coupons(self, *codes: str) -> None:
        with self.db.sessions() as session, session.begin():
            for code in codes:
                session.add(Coupon(code=code, course_run_id=self.run_id, added_by=self.course_team))

    def upload(self, username: str) -> str:
        with self.db.sessions() as session, session.begin():
            user = self._user(session, username)
            upload = Upload(
                id=secrets.token_hex(16),
                owner_id=user.id,
                content_type="application/pdf",
                size=10,
                original_name="certificate.pdf",
            )
            session.add(upload)
            return upload.id

    def apply(self, username: str, at: datetime = NOW, run_id: int | None = None) -> int:
        with self.db.sessions() as session, session.begin():
            application = submit_application(session, self._user(session, username), run_id or self.run_id, True, at)
            return application.id

    def complete(self, username: str, application_id: int, name: str, data: dict[str, Any], at: datetime = NOW) -> None:
        with self.db.sessions() as session, session.begin():
            task = session.scalars(
                select(HumanTask).where(
                    HumanTask.application_id == application_id, HumanTask.state == "open", HumanTask.name == name
                )
            ).one()
            complete_task(session, self._user(session, username), task.id, data, self.settings.forms_dir, at)

    def withdraw(self, username: str, application_id: int, at: datetime = NOW) -> None:
        with self.db.sessions() as session, session.begin():
            withdraw_application(session, self._user(session, username), application_id, at)

    def timers(self, at: datetime) -> int:
        return fire_due_timers(self.db.sessions, at)

    def application(self, application_id: int) -> Application:
        with self.db.sessions() as session:
            return session.get_one(Application, application_id)

    def status(self, application_id: int) -> str:
        return self.application(application_id).status

    def open_tasks(self, application_id: int) -> list[str]:
        with self.db.sessions() as session:
            return sorted(
                session.scalars(
                    select(HumanTask.name).where(HumanTask.application_id == application_id, HumanTask.state == "open")
                )
            )

    def prefill(self, application_id: int, name: str) -> dict[str, Any] | None:
        """What the open task `name` of the application opens with."""
        with self.db.sessions() as session:
            return session.scalars(
                select(HumanTask.prefill).where(
                    HumanTask.application_id == application_id, HumanTask.state == "open", HumanTask.name == name
                )
            ).one()

    def notifications(self, username: str) -> list[str]:
        with self.db.sessions() as session:
            user = self._user(session, username)
            return list(
                session.scalars(
                    select(Notification.subject).where(Notification.recipient_id == user.id).order_by(Notification.id)
                )
            )

    def notification_bodies(self, username: str) -> str:
        with self.db.sessions() as session:
            user = self._user(session, username)
            return "\n".join(session.scalars(select(Notification.body).where(Notification.recipient_id == user.id)))

    @staticmethod
    def _user(session: Any, username: str) -> User:
        return session.scalars(select(User).where(User.username == username)).one()


def approve_and_confirm(flow: Flow, officer: str, at: datetime = NOW) -> int:
    application_id = flow.apply(officer, at)
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "approve"}, at)
    flow.complete(flow.dopt, application_id, "dopt_confirmation", {"decision": "confirm"}, at)
    return application_id


RUN_RESULT_OPENS = datetime.fromisoformat("2027-06-16T00:00:01+05:30")
CLAIM = {
    "amount_paid_usd": 100,
    "bank_account_number": "123456789012",
    "ifsc": "SBIN0001234",
    "declaration": True,
}


def passed_result(upload_id: str) -> dict[str, Any]:
    return {"final_grade": 72.5, "proctored_exam": "passed", "certificate_upload": upload_id}


def today() -> date:
    return NOW.date()


PAYMENT = {
    "sanction_number": "DOPT/TRG/2027/17",
    "paid_on": "2027-06-16",
    "amount_inr": 8350,
    "exchange_rate": 83.5,
    "payment_reference": "UTR0001",
}


def to_claim(flow: Flow, officer: str, code: str) -> int:
    """An application with a coupon, certified, its claim of USD 100 waiting for DoPT's verification."""
    flow.add_coupons(code)
    application_id = approve_and_confirm(flow, officer)
    flow.timers(RUN_RESULT_OPENS)
    flow.complete(officer, application_id, "report_result", passed_result(flow.upload(officer)), RUN_RESULT_OPENS)
    assert flow.status(application_id) == "awaiting_claim"
    claim = dict(CLAIM, payment_proof_upload=flow.upload(officer))
    flow.complete(officer, application_id, "submit_claim", claim, RUN_RESULT_OPENS)
    assert flow.status(application_id) == "claim_under_verification"
    return application_id


def to_payment(flow: Flow, officer: str, code: str) -> int:
    """An application whose claim DoPT approved: finance's record_payment task is open."""
    application_id = to_claim(flow, officer, code)
    flow.complete(flow.dopt, application_id, "verify_claim", {"decision": "approve"}, RUN_RESULT_OPENS)
    assert flow.status(application_id) == "awaiting_payment"
    return application_id
