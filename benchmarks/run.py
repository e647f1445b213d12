"""Benchmarks: step latency, stored state size, inbox query time. `make bench` runs them.

Uses a fresh SQLite file unless IGOT_BENCH_DATABASE_URL points at PostgreSQL (whose
tables it recreates). Prints one line per figure; nothing here is asserted.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, text

from engine.bootstrap import init, open_database
from engine.config import PROJECT_ROOT, Settings
from engine.db import Base
from engine.models import HumanTask, ProcessInstance, User
from engine.services.applications import submit_application
from engine.services.people import create_user, register_officer
from engine.services.queries import list_tasks
from engine.services.reference import create_course_run
from engine.services.tasks import complete_task

APPLICATIONS = int(os.environ.get("IGOT_BENCH_APPLICATIONS", "300"))
NOW = datetime(2027, 1, 10, 10, 0, tzinfo=UTC)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1] if len(samples) >= 20 else samples[-1]
    print(f"{name:<38} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms   n={len(samples)}")


def _report_size(name: str, sizes: list[int]) -> None:
    print(f"{name:<38} median {statistics.median(sizes) / 1024:7.2f} KB   max {max(sizes) / 1024:7.2f} KB")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="igot-bench-"))
    url = os.environ.get("IGOT_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    settings = Settings(url, folder, PROJECT_ROOT / "processes", PROJECT_ROOT / "forms", folder / "uploads")
    database = open_database(settings)
    if url.startswith("postgresql"):
        with database.engine.begin() as connection:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"DROP TABLE IF EXISTS {names}, alembic_version CASCADE"))
    init(settings, database)
    print(f"database: {database.engine.url.render_as_string(hide_password=True)}; applications: {APPLICATIONS}")

    with database.sessions() as session, session.begin():
        approver = create_user(session, "bench.cca", "bench-password", ["cca_approver"], "DOPT-IAS").id
        run_id = create_course_run(
            session,
            {
                "course": "CGP",
                "starts_on": "2027-03-01",
                "registration_closes_on": "2027-02-20",
                "ends_on": "2027-06-15",
            },
        ).id
        officer_ids = []
        for n in range(APPLICATIONS):
            officer = register_officer(
                session,
                {
                    "username": f"bench{n}",
                    "password": "bench-password",
                    "full_name": f"Bench Officer {n}",
                    "email": f"bench{n}@example.gov.in",
                    "mobile": "+919800000000",
                    "service": "IAS",
                    "cca": "DOPT-IAS",
                    "designation": "Deputy Secretary",
                    "date_of_joining": "2015-01-01",
                    "date_of_birth": "1985-01-01",
                    "edx_username": f"bench{n}",
                },
                date(2027, 1, 1),
            )
            officer_ids.append(officer.id)

    submit_times = []
    for officer_id in officer_ids:

        def submit(officer_id: int = officer_id) -> None:
            with database.sessions() as session, session.begin():
                submit_application(session, session.get_one(User, officer_id), run_id, True, NOW)

        submit_times.append(_timed(submit))
    _report("submit application (to first wait)", submit_times)

    with database.sessions() as session:
        states = [len(s) for s in session.scalars(select(ProcessInstance.state))]
        user = session.get_one(User, approver)
        inbox_times = [_timed(lambda: list_tasks(session, user, None, 50)) for _ in range(50)]
        task_ids = list(session.scalars(select(HumanTask.id).where(HumanTask.name == "cca_approval")))
    _report_size("stored state at cca_approval", states)
    _report("inbox: 50 oldest of all open tasks", inbox_times)

    complete_times = []
    for task_id in task_ids:

        def complete(task_id: str = task_id) -> None:
            with database.sessions() as session, session.begin():
                complete_task(
                    session, session.get_one(User, approver), task_id, {"decision": "approve"}, settings.forms_dir, NOW
                )

        complete_times.append(_timed(complete))
    _report("complete cca_approval (to next wait)", complete_times)
    with database.sessions() as session:
        states = [len(s) for s in session.scalars(select(ProcessInstance.state))]
    _report_size("stored state at dopt_confirmation", states)
    database.engine.dispose()


if __name__ == "__main__":
    main()
