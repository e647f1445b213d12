"""Firing due timers: reminders, escalations, the end of a run, lapsing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import Conflict, StepFailed
from engine.incidents import record_incident
from engine.models import Application, AuditEntry, ProcessInstance
from engine.steps import advance


def due_instance_ids(session: Session, now: datetime) -> list[int]:
    """Instances with a timer due at `now`, oldest deadline first (an indexed query)."""
    return list(
        session.scalars(
            select(ProcessInstance.id)
            .where(ProcessInstance.status == "running", ProcessInstance.next_due_at <= now)
            .order_by(ProcessInstance.next_due_at)
        )
    )


def fire_due_timers(make_session: sessionmaker[Any], now: datetime) -> int:
    """Run every instance whose timer is due, each in its own transaction; return how many moved.

    Several workers may run this at once: on PostgreSQL a worker skips instances another
    holds (SKIP LOCKED); a conflicting save is simply left to the next round.
    """
    with make_session() as session:
        candidates = due_instance_ids(session, now)
    fired = 0
    for instance_id in candidates:
        with make_session() as session:
            try:
                with session.begin():
                    if fire_instance(session, instance_id, now):
                        fired += 1
            except Conflict:
                continue
            except StepFailed as error:
                record_incident(make_session, instance_id, error.application_id, str(error), now)
    return fired


def fire_instance(session: Session, instance_id: int, now: datetime) -> bool:
    """Fire the due timers of one instance inside the caller's transaction."""
    instance = session.scalars(
        select(ProcessInstance)
        .where(
            ProcessInstance.id == instance_id,
            ProcessInstance.status == "running",
            ProcessInstance.next_due_at <= now,
        )
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if instance is None:
        return False
    application = session.scalars(select(Application).where(Application.instance_id == instance.id)).one()
    before = application.status
    advance(session, instance, application, lambda workflow: workflow.refresh_timers(), "system", now)
    session.add(
        AuditEntry(
            at=now,
            actor="system",
            action="timer_fired",
            application_id=application.id,
            instance_id=instance.id,
            detail={"status_before": before, "status_after": application.status},
        )
    )
    return True
