"""How long the operator's console and the workbench's check take. `make bench` runs it.

On a fresh database (SQLite in a temporary folder, or IGOT_BENCH_DATABASE_URL's PostgreSQL,
whose tables it recreates): the shipped processes, IGOT_BENCH_CONSOLE_APPLICATIONS
applications (500 by default) submitted over 30 days, a second version of cadre_approval
for the last tenth of them; then the median of 15 runs of each monitor query (a page of 50),
of an instance page's trace and of the versions list, and of 5 checks of a changed
cadre_approval without deploying it, with every scenario rehearsed and then with the
rehearsals kept from the run before.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine.bootstrap import Database, init, open_database
from engine.config import PROJECT_ROOT, Settings
from engine.db import Base
from engine.definitions import deploy, forget_rehearsals
from engine.models import User
from engine.services.applications import submit_application
from engine.services.instance_trace import instance_view
from engine.services.monitor import MonitorFilter, monitor_applications
from engine.services.people import create_user, register_officer
from engine.services.process_versions import list_versions, validate_diagram
from engine.services.reference import create_course_run

APPLICATIONS = int(os.environ.get("IGOT_BENCH_CONSOLE_APPLICATIONS", "500"))
NOW = datetime(2027, 2, 10, 10, 0, tzinfo=UTC)
ROUNDS = 15


def _officer(number: int) -> dict[str, str]:
    return {
        "username": f"officer{number}",
        "password": "bench-password-1",
        "full_name": f"Officer {number}",
        "email": f"officer{number}@example.gov.in",
        "mobile": "+919812345678",
        "service": "IAS",
        "cca": "DOPT-IAS",
        "designation": "Under Secretary",
        "date_of_joining": "2015-08-01",
        "date_of_birth": "1985-02-01",
        "edx_username": f"officer{number}_edx",
    }


def _fill(database: Database, settings: Settings) -> None:
    run = {"course": "CGP", "starts_on": "2027-03-01", "registration_closes_on": "2027-02-28", "ends_on": "2027-06-15"}
    with database.sessions() as session, session.begin():
        create_user(session, "owner", "bench-password-1", ["process_owner"])
        run_id = create_course_run(session, run).id
    changed = (settings.processes_dir / "cadre_approval.bpmn").read_bytes().replace(b'"P7D"', b'"P5D"')
    for number in range(APPLICATIONS):
        if number == APPLICATIONS * 9 // 10:
            with database.sessions() as session, session.begin():
                deploy(session, changed, "owner", settings.forms_dir)
        with database.sessions() as session, session.begin():
            officer = register_officer(session, _officer(number), NOW.date())
            submit_application(session, officer, run_id, True, NOW - timedelta(days=number % 30))


def _median_ms(database: Database, action: Callable[[Session, User], object], rounds: int = ROUNDS) -> str:
    times = []
    for _round in range(rounds):
        with database.sessions() as session:
            owner = session.scalars(select(User).where(User.username == "owner")).one()
            started = time.perf_counter()
            action(session, owner)
            times.append((time.perf_counter() - started) * 1000)
    return f"median {statistics.median(times):.1f} ms (max {max(times):.1f})"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="igot-bench-console-"))
    url = os.environ.get("IGOT_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    settings = Settings(url, folder, PROJECT_ROOT / "processes", PROJECT_ROOT / "forms", folder / "uploads")
    database = open_database(settings)
    if url.startswith("postgresql"):
        with database.engine.begin() as connection:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"DROP TABLE IF EXISTS {names}, alembic_version CASCADE"))
    init(settings, database)
    print(f"database: {database.engine.url.render_as_string(hide_password=True)}")
    started = time.perf_counter()
    _fill(database, settings)
    print(f"{APPLICATIONS} applications submitted in {time.perf_counter() - started:.1f} s")
    if url.startswith("postgresql"):
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    queries = {
        "monitor, no filter": MonitorFilter(),
        "monitor, cadre_approval version 1": MonitorFilter(process="cadre_approval", version=1),
        "monitor, with an open incident": MonitorFilter(has_incident=True),
        "monitor, waiting at least 20 days": MonitorFilter(min_age_days=20),
    }
    for label, filters in queries.items():
        print(f"{label}: {_median_ms(database, lambda s, u, f=filters: monitor_applications(s, u, f, NOW, 50, 0))}")
    print(f"instance page (the trace): {_median_ms(database, lambda s, u: instance_view(s, u, 1, NOW))}")
    print(f"versions of cadre_approval: {_median_ms(database, lambda s, u: list_versions(s, u, 'cadre_approval'))}")
    changed = (settings.processes_dir / "cadre_approval.bpmn").read_bytes().replace(b'"P7D"', b'"P3D"')

    def check(session: Session, owner: User, forget: bool) -> None:
        if forget:
            forget_rehearsals()
        validate_diagram(session, owner, changed, settings.forms_dir)

    print(f"check, every scenario rehearsed: {_median_ms(database, lambda s, u: check(s, u, True), 5)}")
    print(f"check again, rehearsals kept: {_median_ms(database, lambda s, u: check(s, u, False), 5)}")
    database.engine.dispose()


if __name__ == "__main__":
    main()
