"""The read side at scale: inboxes, the application list with filters, one application and the
reports, measured through HTTP under gunicorn at a small size and at a large one. `make
bench-scale` runs it (several minutes; PostgreSQL only).

The rows are bulk-inserted with COPY, not made by the engine: each table's rows are copies of
the rows one real application left (so every column holds what the engine writes), with new
keys. Small: 10,000 history rows, 1,000 open tasks, 1,500 applications. Large (the same
database, grown): 1,000,000 history rows, 100,000 open tasks, 150,000 applications, and
closed tasks two per application. Half the open tasks wait for a CCA (spread over every CCA),
half for DoPT. IGOT_BENCH_SCALE (default 1.0) scales the large size.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import func, select, text

from benchmarks.harness import PASSWORD as BENCH_PASSWORD
from benchmarks.harness import (
    Client,
    CourseDates,
    bench_database,
    gunicorn,
    officer_body,
    prepared_database,
    report,
    settings_for,
    today,
)
from engine.bootstrap import Database
from engine.models import HumanTask, User
from engine.services.applications import submit_application
from engine.services.auth import issue_token
from engine.services.people import create_user, register_officer
from engine.services.reference import create_course_run
from engine.services.tasks import complete_task

SCALE = float(os.environ.get("IGOT_BENCH_SCALE", "1.0"))
SMALL = {"history": 10_000, "open": 1_000, "applications": 1_500}
LARGE = {
    "history": int(1_000_000 * SCALE),
    "open": int(100_000 * SCALE),
    "applications": int(150_000 * SCALE),
}
SAMPLES = int(os.environ.get("IGOT_BENCH_SAMPLES", "60"))
TABLES = ("users", "officers", "user_roles", "process_instances", "applications", "human_tasks", "audit_log")


def _templates(database: Database, application_id: int) -> dict[str, list[dict[str, Any]]]:
    """The rows one real application left, table by table (raw database values)."""
    with database.engine.connect() as connection:
        application = dict(
            connection.execute(text("SELECT * FROM applications WHERE id = :id"), {"id": application_id})
            .mappings()
            .one()
        )
        found: dict[str, list[dict[str, Any]]] = {"applications": [application]}
        queries = {
            "users": ("SELECT * FROM users WHERE id = :id", application["officer_id"]),
            "officers": ("SELECT * FROM officers WHERE user_id = :id", application["officer_id"]),
            "user_roles": ("SELECT * FROM user_roles WHERE user_id = :id", application["officer_id"]),
            "process_instances": ("SELECT * FROM process_instances WHERE id = :id", application["instance_id"]),
            "human_tasks": ("SELECT * FROM human_tasks WHERE application_id = :id", application_id),
            "audit_log": ("SELECT * FROM audit_log WHERE application_id = :id", application_id),
        }
        for table, (query, key) in queries.items():
            found[table] = [dict(row) for row in connection.execute(text(query), {"id": key}).mappings()]
    return found


def _copy(database: Database, table: str, rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows into a table; returns how many."""
    count = 0
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        iterator = iter(rows)
        first = next(iterator, None)
        if first is None:
            return 0
        columns = list(first)
        names = ", ".join(f'"{column}"' for column in columns)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in _chain(first, iterator):
                copy.write_row(
                    [Json(value) if isinstance(value, dict | list) else row[key] for key, value in row.items()]
                )
                count += 1
        raw.commit()
    finally:
        raw.close()
    return count


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


class Grower:
    """Adds applications (with officer, instance, tasks and history) from the templates."""

    def __init__(self, database: Database, templates: dict[str, list[dict[str, Any]]]) -> None:
        self.database = database
        self.templates = templates
        with database.engine.connect() as connection:
            self.ccas = [row[0] for row in connection.execute(text("SELECT code FROM ccas ORDER BY code"))]
            self.runs = [tuple(row) for row in connection.execute(text("SELECT id, course_code FROM course_runs"))]
            self.next_ids = {
                table: int(connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()) + 1000  # noqa: S608 - our own table names
                for table in ("users", "user_roles", "process_instances", "applications", "audit_log")
            }
        self.made = {"applications": 0, "open": 0, "history": 0}

    def grow(self, applications: int, open_tasks: int, history: int) -> None:
        """Add rows until the totals made by this grower reach the given figures."""
        count = applications - self.made["applications"]
        first = self.made["applications"]
        numbers = range(first, first + count)
        base = {table: self.next_ids[table] + first for table in self.next_ids}
        started_at = datetime(2026, 1, 1, tzinfo=UTC)
        user, officer, role = self.templates["users"][0], self.templates["officers"][0], self.templates["user_roles"][0]
        instance, application = self.templates["process_instances"][0], self.templates["applications"][0]
        task = self.templates["human_tasks"][0]
        entry = self.templates["audit_log"][0]
        opens_from = self.made["open"]
        opens_to = open_tasks
        wanted = history - self.made["history"]
        per_app, extra = divmod(wanted, max(1, count))

        def cca_of(n: int) -> str:
            # Pairs of officers share a CCA, so the CCA approvals (even n) reach every CCA.
            return self.ccas[(n // 2) % len(self.ccas)]

        def users() -> Iterator[dict[str, Any]]:
            for n in numbers:
                yield user | {"id": base["users"] + n, "username": f"scale{n}", "email": None, "cca_code": None}

        def officers() -> Iterator[dict[str, Any]]:
            for n in numbers:
                yield officer | {
                    "user_id": base["users"] + n,
                    "email": f"scale{n}@example.gov.in",
                    "full_name": f"Scale Officer {n}",
                    "edx_username": f"scale{n}",
                    "cca_code": cca_of(n),
                }

        def roles() -> Iterator[dict[str, Any]]:
            for n in numbers:
                yield role | {"id": base["user_roles"] + n, "user_id": base["users"] + n}

        def instances() -> Iterator[dict[str, Any]]:
            for n in numbers:
                yield instance | {"id": base["process_instances"] + n}

        def status(n: int) -> str:
            if opens_from + (n - first) < opens_to:
                return "awaiting_cadre_approval" if n % 2 == 0 else "awaiting_dopt_confirmation"
            return ("enrolled", "not_approved", "awaiting_result", "reimbursed")[n % 4]

        def apps() -> Iterator[dict[str, Any]]:
            for n in numbers:
                run_id, course = self.runs[n % len(self.runs)]
                at = started_at + timedelta(minutes=n)
                yield application | {
                    "id": base["applications"] + n,
                    "officer_id": base["users"] + n,
                    "instance_id": base["process_instances"] + n,
                    "course_run_id": run_id,
                    "course_code": course,
                    "cca_code": cca_of(n),
                    "status": status(n),
                    "created_at": at,
                    "updated_at": at,
                }

        def tasks() -> Iterator[dict[str, Any]]:
            for n in numbers:
                at = started_at + timedelta(minutes=n)
                common = {
                    "instance_id": base["process_instances"] + n,
                    "application_id": base["applications"] + n,
                    "owner_username": None,
                    "assignee": None,
                }
                for closed in range(2):
                    yield (
                        task
                        | common
                        | {
                            "id": str(uuid.uuid4()),
                            "state": "completed",
                            "created_at": at + timedelta(seconds=closed),
                            "completed_at": at + timedelta(seconds=closed + 1),
                        }
                    )
                if status(n) == "awaiting_cadre_approval":
                    yield (
                        task
                        | common
                        | {
                            "id": str(uuid.uuid4()),
                            "name": "cca_approval",
                            "role": "cca_approver",
                            "scope_cca": cca_of(n),
                            "state": "open",
                            "created_at": at + timedelta(seconds=5),
                            "completed_at": None,
                            "completed_by": None,
                        }
                    )
                elif status(n) == "awaiting_dopt_confirmation":
                    yield (
                        task
                        | common
                        | {
                            "id": str(uuid.uuid4()),
                            "name": "dopt_confirmation",
                            "role": "dopt",
                            "scope_cca": None,
                            "state": "open",
                            "created_at": at + timedelta(seconds=5),
                            "completed_at": None,
                            "completed_by": None,
                        }
                    )

        def entries() -> Iterator[dict[str, Any]]:
            number = base["audit_log"] * 10
            for n in numbers:
                for k in range(per_app + (1 if n - first < extra else 0)):
                    number += 1
                    yield entry | {
                        "id": number,
                        "application_id": base["applications"] + n,
                        "instance_id": base["process_instances"] + n,
                        "at": started_at + timedelta(minutes=n, seconds=k),
                    }

        for table, rows in (
            ("users", users()),
            ("officers", officers()),
            ("user_roles", roles()),
            ("process_instances", instances()),
            ("applications", apps()),
            ("human_tasks", tasks()),
            ("audit_log", entries()),
        ):
            _copy(self.database, table, rows)
        opened = max(0, min(count, opens_to - opens_from))
        self.made = {
            "applications": applications,
            "open": self.made["open"] + opened,
            "history": history,
        }
        with self.database.engine.connect() as connection:
            # As autovacuum leaves a table that has been in use: statistics and visibility map.
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def _seed(database: Database) -> dict[str, Any]:
    """Staff with tokens, three runs, and one real application walked to DoPT's confirmation."""
    now = datetime.now(UTC)
    dates = CourseDates.open_now()
    with database.sessions() as session, session.begin():
        tokens = {}
        for name, roles, cca in (("cca", ["cca_approver"], "DOPT-IAS"), ("dopt", ["dopt"], None)):
            user = create_user(session, f"scale.{name}", BENCH_PASSWORD, roles, cca)
            tokens[name] = issue_token(session, user, now)
        for course in ("CGP", "CGP", "CGP"):
            create_course_run(
                session,
                {
                    "course": course,
                    "starts_on": dates.starts_on,
                    "registration_closes_on": dates.registration_closes_on,
                    "ends_on": dates.ends_on,
                },
            )
        officer = register_officer(session, officer_body("template0"), today())
        officer_id = officer.id
        cca = session.scalars(select(User).where(User.username == "scale.cca")).one()
    with database.sessions() as session, session.begin():
        run_id = session.execute(text("SELECT min(id) FROM course_runs")).scalar_one()
        application = submit_application(session, session.get_one(User, officer_id), run_id, True, now)
        application_id = application.id
    with database.sessions() as session, session.begin():
        task_id = session.execute(
            text("SELECT id FROM human_tasks WHERE application_id = :id AND state = 'open'"), {"id": application_id}
        ).scalar_one()
        complete_task(session, session.get_one(User, cca.id), task_id, {"decision": "approve"}, database_forms(), now)
    return {"tokens": tokens, "application_id": application_id}


def database_forms() -> Any:
    """The shipped forms' folder."""
    from engine.config import PROJECT_ROOT

    return PROJECT_ROOT / "forms"


CALLS = (
    ("inbox, CCA approver (API)", "cca", "/api/v1/tasks"),
    ("inbox, DoPT (API)", "dopt", "/api/v1/tasks"),
    ("inbox, DoPT, page 20 (API)", "dopt", "/api/v1/tasks?page=20"),
    ("applications, DoPT, no filter", "dopt", "/api/v1/applications"),
    ("applications, status filter", "dopt", "/api/v1/applications?status=enrolled"),
    ("applications, CCA + course filter", "dopt", "/api/v1/applications?cca=DOPT-IAS&course=CGP"),
    ("applications, name search", "dopt", "/api/v1/applications?q=Scale%20Officer%201234"),
    ("applications, CCA approver's own", "cca", "/api/v1/applications"),
    ("report: summary", "dopt", "/api/v1/reports/summary"),
    ("report: pending", "dopt", "/api/v1/reports/pending"),
    ("report: coupons", "dopt", "/api/v1/reports/coupons"),
)


def _measure(port: int, tokens: dict[str, str], application_id: int, label: str) -> dict[str, dict[str, float]]:
    results = {}
    clients = {name: Client(port, token) for name, token in tokens.items()}
    calls = [*CALLS, ("one application with history", "dopt", f"/api/v1/applications/{application_id}")]
    for name, who, path in calls:
        samples = []
        for _ in range(SAMPLES):
            status, body, elapsed = clients[who].call("GET", path)
            if status != 200:
                raise RuntimeError(f"{path}: {status} {str(body)[:200]}")
            samples.append(elapsed)
        results[name] = report(f"[{label}] {name}", samples[5:])  # the first few warm caches
    return results


def _sign_in_lookup(database: Database) -> list[float]:
    """Milliseconds of the sign-in's user lookup by username (the query alone, no hash)."""
    times = []
    with database.sessions() as session:
        for n in range(SAMPLES):
            started = time.perf_counter()
            session.scalars(select(User).where(func.lower(User.username) == f"scale{n * 7}")).first()
            times.append((time.perf_counter() - started) * 1000)
    return times


def _plans(database: Database, label: str) -> None:
    """The database's own plan and time for each inbox's query (a page of 50 and its count)."""
    from engine.services.queries import TaskFilter, _task_query

    with database.sessions() as session:
        for username in ("scale.cca", "scale.dopt"):
            user = session.scalars(select(User).where(User.username == username)).one()
            page = _task_query(user, TaskFilter()).order_by(HumanTask.created_at, HumanTask.id).limit(50)
            count = _task_query(user, TaskFilter()).with_only_columns(func.count())
            for name, query in (("page", page), ("count", count)):
                sql = str(query.compile(dialect=database.engine.dialect, compile_kwargs={"literal_binds": True}))
                plan = [row[0] for row in session.execute(text(f"EXPLAIN ANALYZE {sql}"))]
                nodes = [line.strip() for line in plan if "Scan" in line or "Sort" in line][:3]
                print(f"[{label}] plan of {username}'s inbox {name}: {plan[-1].strip()}; " + " / ".join(nodes))


def main() -> None:
    """Build the small size, measure, grow to the large size, measure, print the ratios."""
    with bench_database() as (url, folder):
        if not url.startswith("postgresql"):
            print("bench-scale needs PostgreSQL (COPY); none reachable")
            return
        settings = settings_for(url, folder)
        database = prepared_database(settings)
        seeded = _seed(database)
        grower = Grower(database, _templates(database, seeded["application_id"]))
        figures = {}
        for label, size in (("small", SMALL), ("large", LARGE)):
            started = time.perf_counter()
            grower.grow(size["applications"], size["open"], size["history"])
            with database.engine.connect() as connection:
                counts = {
                    table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - our own table names
                    for table in TABLES
                }
                open_count = connection.execute(
                    text("SELECT count(*) FROM human_tasks WHERE state = 'open'")
                ).scalar_one()
            print(
                f"[{label}] built in {time.perf_counter() - started:.0f} s: "
                + ", ".join(f"{table} {count:,}" for table, count in counts.items())
                + f", open tasks {open_count:,}",
                flush=True,
            )
            with gunicorn(settings, 2) as port:
                figures[label] = _measure(port, seeded["tokens"], seeded["application_id"], label)
            report(f"[{label}] sign-in lookup by username (query)", _sign_in_lookup(database))
            _plans(database, label)
        print("\nlarge / small, p95:")
        for name, small in figures["small"].items():
            large = figures["large"][name]
            print(f"  {name:<40} {small['p95']:7.2f} ms -> {large['p95']:7.2f} ms   x{large['p95'] / small['p95']:.2f}")
        database.engine.dispose()


if __name__ == "__main__":
    main()
