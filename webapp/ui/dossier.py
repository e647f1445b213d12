"""Everything a page shows about one application: officer, run, eligibility, history, tasks.

The portal's application page and the inbox's task page both show it, so that an
approver decides on one screen with the same facts the officer sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import can_see_coupon, can_work_task
from engine.models import CCA, Application, AuditEntry, HumanTask, Notification, Officer, Upload, User
from engine.services.queries import history, notifications_for, open_tasks
from engine.statuses import is_final

# The application page shows the latest messages about it; the notifications page has them all.
MESSAGES_SHOWN = 50


@dataclass(frozen=True)
class Dossier:
    """One application as the viewer may see it."""

    application: Application
    profile: Officer | None
    cca: CCA | None
    history: list[AuditEntry]
    tasks_for_viewer: list[HumanTask]
    tasks_for_others: list[HumanTask]
    coupon_code: str | None
    messages: list[Notification]
    documents: list[Upload]
    may_withdraw: bool

    @property
    def eligibility(self) -> dict[str, Any]:
        return self.application.eligibility or {}


def build_dossier(session: Session, viewer: User, application: Application) -> Dossier:
    """Collect the dossier of an application the viewer may already see (checked by the caller)."""
    tasks = open_tasks(session, application.id)
    own = application.officer_id == viewer.id
    coupon_visible = can_see_coupon(viewer, application)
    return Dossier(
        application=application,
        profile=application.officer.officer,
        cca=session.get(CCA, application.cca_code),
        history=history(session, application.id),
        tasks_for_viewer=[task for task in tasks if can_work_task(viewer, task)],
        tasks_for_others=[task for task in tasks if not can_work_task(viewer, task)],
        coupon_code=application.coupon_code if coupon_visible else None,
        messages=notifications_for(session, viewer, MESSAGES_SHOWN, application_id=application.id)[0],
        documents=_documents(session, application),
        may_withdraw=own and not is_final(application.status),
    )


def _documents(session: Session, application: Application) -> list[Upload]:
    """The files the officer uploaded (certificates, payment proofs), newest first.

    Whoever may see the application may read its officer's uploads (engine.access).
    """
    query = select(Upload).where(Upload.owner_id == application.officer_id).order_by(Upload.created_at.desc())
    return list(session.scalars(query))
