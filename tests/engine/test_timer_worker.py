"""The timer worker: every timer fires at its time, once, whatever runs at once or dies mid-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.bootstrap import Database
from engine.config import PROJECT_ROOT, Settings
from engine.models import Application, AuditEntry, Notification, Officer, ProcessInstance, User, UserRole
from engine.passwords import hash_password
from engine.services.applications import submit_application
from engine.services.queries import history
from engine.services.timers import fire_due_timers
from tests.engine.flow import RUN_RESULT_OPENS, Flow
from tests.factories import NOW, make_run, make_staff

REMINDER_DUE = NOW + timedelta(days=7, minutes=1)


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    flow = Flow(db, settings)
    flow.add_coupons("CGP-2027-0001")
    return flow


def _fired(db: Database, application_id: int) -> list[tuple[str, str]]:
    with db.sessions() as session:
        return [
            (entry.detail["status_before"], entry.detail["status_after"])
            for entry in history(session, application_id)
            if entry.action == "timer_fired"
        ]


def test_every_timer_fires_at_its_time_and_is_recorded_in_the_history(flow: Flow, db: Database) -> None:
    officer = flow.officer()
    application_id = flow.apply(officer)
    assert flow.timers(NOW + timedelta(days=6, hours=23)) == 0
    assert flow.timers(REMINDER_DUE) == 1  # 7 days: the CCA is reminded
    assert flow.notifications(flow.cca_approver)[-1].startswith("Reminder: nomination of")
    assert flow.timers(NOW + timedelta(days=14, minutes=1)) == 1  # 14 days: escalated to DoPT
    assert flow.open_tasks(application_id) == ["escalated_approval"]
    assert flow.notifications(flow.dopt)[-1].startswith("Escalated: nomination of")
    flow.complete(flow.dopt, application_id, "escalated_approval", {"decision": "approve"}, NOW + timedelta(days=15))
    flow.complete(flow.dopt, application_id, "dopt_confirmation", {"decision": "confirm"}, NOW + timedelta(days=15))
    assert flow.timers(RUN_RESULT_OPENS) == 1  # the run's end: the result is asked for
    assert flow.open_tasks(application_id) == ["report_result"]
    assert flow.timers(RUN_RESULT_OPENS + timedelta(days=59, hours=23)) == 0
    assert flow.timers(RUN_RESULT_OPENS + timedelta(days=60, minutes=1)) == 1  # 60 days: the officer is reminded
    assert flow.notifications(officer)[-1] == "Reminder: report your result for The Challenges of Global Poverty"
    assert flow.open_tasks(application_id) == ["report_result"]
    assert flow.timers(RUN_RESULT_OPENS + timedelta(days=90, minutes=1)) == 1  # 90 days: lapsed
    assert flow.status(application_id) == "lapsed"
    assert _fired(db, application_id) == [
        ("awaiting_cadre_approval", "awaiting_cadre_approval"),
        ("awaiting_cadre_approval", "awaiting_dopt_decision"),
        ("enrolled", "awaiting_result"),
        ("awaiting_result", "awaiting_result"),
        ("awaiting_result", "lapsed"),
    ]


def _applications_awaiting_approval(db: Database, count: int) -> list[int]:
    """`count` officers, each with an application waiting for the CCA since NOW (built directly:
    hashing a password per officer would dominate the test's time)."""
    password = hash_password("secret-password")
    ids: list[int] = []
    with db.sessions() as session, session.begin():
        make_staff(session, "cca_approver", "DOPT-IAS")
        run = make_run(session)
        for index in range(count):
            user = User(username=f"bulk{index}", password_hash=password)
            user.role_rows = [UserRole(role="officer")]
            user.officer = Officer(
                full_name=f"Officer {index}",
                email=f"bulk{index}@example.gov.in",
                mobile="+919812345678",
                service="IAS",
                cca_code="DOPT-IAS",
                designation="Under Secretary",
                date_of_joining=NOW.date().replace(year=2015),
                date_of_birth=NOW.date().replace(year=1985),
                edx_username=f"bulk{index}_edx",
            )
            session.add(user)
            session.flush()
            ids.append(submit_application(session, user, run.id, True, NOW).id)
    return ids


def _moved(db: Database) -> Counter[int]:
    with db.sessions() as session:
        return Counter(session.scalars(select(AuditEntry.application_id).where(AuditEntry.action == "timer_fired")))


def _reminders(db: Database) -> Counter[int]:
    with db.sessions() as session:
        return Counter(
            session.scalars(select(Notification.application_id).where(Notification.subject.like("Reminder:%")))
        )


def test_two_workers_at_once_fire_every_timer_exactly_once(db: Database, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("many workers on several machines means PostgreSQL")
    ids = _applications_awaiting_approval(db, 200)

    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            counts.append(fire_due_timers(db.sessions, REMINDER_DUE))
        except BaseException as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert sum(counts) == 200 and all(count > 0 for count in counts), counts
    assert _moved(db) == Counter(dict.fromkeys(ids, 1))
    assert _reminders(db) == Counter(dict.fromkeys(ids, 1))


# Enough due instances that a worker killed once 10 have moved is still mid-run: a step takes
# a few milliseconds, and the poll below sees the count only every 20 ms or so.
KILLED_RUN = 400


def _worker(settings: Settings, output: int = subprocess.PIPE) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "IGOT_DATABASE_URL": settings.database_url,
        "IGOT_INSTANCE_PATH": str(settings.instance_path),
    }
    command = [sys.executable, "-m", "webapp.cli", "timers", "--now", REMINDER_DUE.isoformat()]
    return subprocess.Popen(command, env=environment, cwd=PROJECT_ROOT, stdout=output, stderr=output)


def test_a_worker_killed_mid_run_leaves_nothing_half_written_and_the_next_moves_the_rest(
    db: Database, settings: Settings
) -> None:
    ids = _applications_awaiting_approval(db, KILLED_RUN)
    worker = _worker(settings, subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while sum(_moved(db).values()) < 10 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL, "the worker finished before it could be killed"
    moved, reminded = _moved(db), _reminders(db)
    assert 10 <= len(moved) < KILLED_RUN
    assert moved == reminded  # each instance moved whole (audit and message) or not at all
    with db.sessions() as session:
        due = session.scalar(select(func.count(ProcessInstance.id)).where(ProcessInstance.next_due_at <= REMINDER_DUE))
    assert due == KILLED_RUN - len(moved)
    again = _worker(settings)
    _out, errors = again.communicate(timeout=300)
    assert again.returncode == 0, errors.decode()
    assert _moved(db) == Counter(dict.fromkeys(ids, 1))
    assert _reminders(db) == Counter(dict.fromkeys(ids, 1))
    with db.sessions() as session:
        assert (
            session.scalar(select(func.count(Application.id)).where(Application.status != "awaiting_cadre_approval"))
            == 0
        )
