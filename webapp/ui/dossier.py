"""Everything a page shows about one application: officer, run, eligibility, history, tasks,
the facts a decision needs (result, claim, documents), the clarification exchange, the payment.

The portal's application page and the inbox's task page both show it, so that an
approver decides on one screen with the same facts the officer sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.access import can_operate, can_see_coupon, can_see_payment, can_work_task
from engine.models import CCA, Application, AuditEntry, HumanTask, Incident, Notification, Officer, Payment, User
from engine.services.decisions import DecisionFacts, Document, decision_facts
from engine.services.incidents import open_incident_of
from engine.services.notifications import notifications_about
from engine.services.payments import payments_of
from engine.services.process_data import application_data
from engine.services.queries import history, open_tasks
from engine.statuses import is_final
from webapp.ui.labels import StatusWords, status_words

# The application page shows the latest messages about it; the notifications page has them all.
MESSAGES_SHOWN = 50


@dataclass(frozen=True)
class Dossier:
    """One application as the viewer may see it.

    `incident` is the application's open incident: DoPT's operators and the process owners
    (`sees_errors`) see its error; everyone else is told plainly that DoPT holds it up.
    """

    application: Application
    profile: Officer | None
    cca: CCA | None
    history: list[AuditEntry]
    tasks_for_viewer: list[HumanTask]
    tasks_for_others: list[HumanTask]
    coupon_code: str | None
    messages: list[Notification]
    facts: DecisionFacts
    payment: Payment | None
    may_withdraw: bool
    status: StatusWords
    may_see_claim: bool
    incident: Incident | None
    sees_errors: bool

    @property
    def eligibility(self) -> dict[str, Any]:
        return self.application.eligibility or {}

    @property
    def coupon_box(self) -> bool:
        """The coupon and how to use it, shown while it is of use: from issue until the course
        ends (status `enrolled`); afterwards it only crowds the page."""
        return bool(self.coupon_code) and self.application.status == "enrolled"

    @property
    def documents(self) -> list[Document]:
        """The files sent with this application (not the officer's others), by purpose."""
        return self.facts.documents

    @property
    def exchange(self) -> list[AuditEntry]:
        """The questions and answers, in order: each return with its remarks, each answer."""
        return [
            entry
            for entry in self.history
            if entry.action == "completed"
            and ((entry.detail or {}).get("decision") == "return" or (entry.detail or {}).get("response"))
        ]


def build_dossier(
    session: Session, viewer: User, application: Application, data: dict[str, Any] | None = None
) -> Dossier:
    """Collect the dossier of an application the viewer may already see (checked by the caller).

    `data` is what the decision is about (a task's data, shown whole to who works the task);
    by default the process data where the application rests, whose claim (bank details) only
    the officer, DoPT and finance see.
    """
    tasks = open_tasks(session, application.id)
    entries = history(session, application.id)
    own = application.officer_id == viewer.id
    coupon_visible = can_see_coupon(viewer, application)
    facts_from = application_data(session, application) if data is None else data
    may_see_claim = can_see_payment(viewer, application)
    payment = payments_of(session, [application.id]).get(application.id) if may_see_claim else None
    return Dossier(
        application=application,
        profile=application.officer.officer,
        cca=session.get(CCA, application.cca_code),
        history=entries,
        tasks_for_viewer=[task for task in tasks if can_work_task(viewer, task)],
        tasks_for_others=[task for task in tasks if not can_work_task(viewer, task)],
        coupon_code=application.coupon_code if coupon_visible else None,
        messages=notifications_about(session, viewer, application.id),
        facts=decision_facts(session, application, facts_from),
        payment=payment,
        may_withdraw=own and not is_final(application.status),
        status=status_words(application.status, entries, [task.name for task in tasks]),
        may_see_claim=may_see_claim or data is not None,
        incident=open_incident_of(session, [application.id]).get(application.id),
        sees_errors=can_operate(viewer),
    )
