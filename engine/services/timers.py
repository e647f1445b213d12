"""Firing due timers: reminders, escalations, the end of a run, lapsing."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.actions import FireTimers
from engine.errors import Conflict, StepFailed
from engine.incidents import record_incident
from engine.models import Application, AuditEntry, ProcessInstance
from engine.steps import advance

log = logging.getLogger(__name__)


def due_instance_ids(session: Session, now: datetime) -> list[int]:
    """Instances with a timer due at `now`, oldest deadline first (an indexed query).

    Suspended instances are left out (their status is not running); an instance whose
    timers failed waits out its back-off, which pushed its next_due_at.
    """
    return list(
        session.scalars(
            select(ProcessInstance.id)
            .where(ProcessInstance.status == "running", ProcessInstance.next_due_at <= now)
            .order_by(ProcessInstance.next_due_at)
        )
    )


def next_timer_at(session: Session) -> datetime | None:
    """The earliest deadline of a running instance (None when no timer waits)."""
    moment: datetime | None = session.scalar(
        select(func.min(ProcessInstance.next_due_at)).where(ProcessInstance.status == "running")
    )
    return moment


def fire_due_timers(make_session: sessionmaker[Any], now: datetime) -> int:
    """Run every instance whose timer is due, each in its own transaction; return how many moved.

    Several workers may run this at once: on PostgreSQL a worker skips instances another
    holds (SKIP LOCKED); a conflicting save is simply left to the next round. A failing
    instance becomes an incident (counted, with back-off) and the round goes on with the
    next one, whatever the failure was.
    """
    with make_session() as session:
        candidates = due_instance_ids(session, now)
    fired = 0
    for instance_id in candidates:
        try:
            with make_session() as session, session.begin():
                if fire_instance(session, instance_id, now):
                    fired += 1
        except Conflict:
            continue
        except StepFailed as error:
            log.warning("timers of instance %s failed at %s: %s", instance_id, error.element, error.message)
            _record(make_session, error, now)
        except Exception as error:
            log.exception("timers of instance %s failed outside the process", instance_id)
            failure = StepFailed(f"{type(error).__name__}: {error}")
            failure.instance_id, failure.action = instance_id, FireTimers()
            _record(make_session, failure, now)
    return fired


def _record(make_session: sessionmaker[Any], failure: StepFailed, now: datetime) -> None:
    if failure.application_id is None and failure.instance_id is not None:
        with make_session() as session:
            failure.application_id = session.scalars(
                select(Application.id).where(Application.instance_id == failure.instance_id)
            ).first()
    try:
        record_incident(make_session, failure, now)
    except Exception:
        # The database itself may be what failed; the next round tries again.
        log.exception("could not record the failure of instance %s", failure.instance_id)


def fire_instance(session: Session, instance_id: int, now: datetime) -> bool:
    """Fire the due timers of one instance inside the caller's transaction.

    Raises StepFailed when the step fails (the caller rolls back and records it).
    """
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
    due_at = instance.next_due_at
    advance(session, instance, application, FireTimers(), "system", now)
    log.info(
        "timers of application %s (instance %s, due %s) fired: %s -> %s",
        application.id,
        instance.id,
        due_at.isoformat() if due_at else "-",
        before,
        application.status,
    )
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
