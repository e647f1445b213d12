"""The request path measured through HTTP under gunicorn, side by side with the bare engine
step of the same process. `make bench` runs it.

On a database of its own (PostgreSQL `bench_<pid>`, created and dropped here; SQLite when no
PostgreSQL answers), with gunicorn started here (IGOT_BENCH_WORKERS sync workers, default 2):

- submission: POST /api/v1/applications, start of cadre_approval to its first wait;
- completion of cca_approval: POST /api/v1/tasks/{id}/complete, sequentially (median, p95),
  then with 8 and with 32 concurrent clients (completions per second);
- the inbox (GET /api/v1/tasks as a CCA approver and as DoPT) and the application page;
- the bare engine step of the same instances: load the stored state, complete cca_approval,
  run to the next wait, dump the state (no database, no HTTP), and the ratio;
- the stored state per instance at each wait.

The concurrent clients run in several processes, several threads each, on keep-alive
connections of the standard library; the client's own CPU use is printed to show it had
headroom. Nothing here is asserted.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from benchmarks.harness import (
    PASSWORD,
    Client,
    CourseDates,
    bench_database,
    gunicorn,
    officer_body,
    one_password_hash,
    percentile,
    prepared_database,
    report,
    settings_for,
    today,
)
from engine.actions import CompleteUserTask
from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import bundle_by_ids
from engine.host import ScriptHost
from engine.models import Application, HumanTask, ProcessInstance, User
from engine.runtime import dump_state, load_workflow, run_engine
from engine.sandbox import SandboxedEnvironment
from engine.services.applications import submit_application
from engine.services.auth import issue_token
from engine.services.people import create_user, register_officer
from engine.services.reference import create_course_run

WORKERS = int(os.environ.get("IGOT_BENCH_WORKERS", "2"))
SEQUENTIAL = int(os.environ.get("IGOT_BENCH_SEQUENTIAL", "200"))
PER_CLIENT = int(os.environ.get("IGOT_BENCH_PER_CLIENT", "40"))
CONCURRENCY = (8, 32)


def _seed(database: Database, applications: int, submitted_over_http: int) -> dict[str, Any]:
    """Staff, a run, officers with tokens; all but `submitted_over_http` applications submitted
    through the engine (the others are left for the HTTP submission figure)."""
    now = datetime.now(UTC)
    dates = CourseDates.open_now()
    with database.sessions() as session, session.begin(), one_password_hash():
        cca = create_user(session, "bench.cca", PASSWORD, ["cca_approver"], "DOPT-IAS")
        dopt = create_user(session, "bench.dopt", PASSWORD, ["dopt"], None)
        run_id = create_course_run(
            session,
            {
                "course": "CGP",
                "starts_on": dates.starts_on,
                "registration_closes_on": dates.registration_closes_on,
                "ends_on": dates.ends_on,
            },
        ).id
        officers = [register_officer(session, officer_body(f"bench{n}"), today()) for n in range(applications)]
        tokens = {"cca": issue_token(session, cca, now), "dopt": issue_token(session, dopt, now)}
        officer_tokens = [issue_token(session, officer, now) for officer in officers]
        officer_ids = [officer.id for officer in officers]
    for officer_id in officer_ids[submitted_over_http:]:
        with database.sessions() as session, session.begin():
            submit_application(session, session.get_one(User, officer_id), run_id, True, now)
    return {"run_id": run_id, "tokens": tokens, "officer_tokens": officer_tokens}


def _bare_steps(database: Database, settings: Settings, instance_ids: list[int]) -> tuple[list[float], int]:
    """Milliseconds of load + complete cca_approval + run to next wait + dump, per instance
    (nothing saved); and how many SQL statements ran inside the timed part (expected 0)."""
    now = datetime.now(UTC)
    times: list[float] = []
    statements = inside = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        for instance_id in instance_ids:
            with database.sessions() as session:
                instance = session.get_one(ProcessInstance, instance_id)
                application = session.scalars(select(Application).where(Application.instance_id == instance_id)).one()
                task = session.scalars(
                    select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
                ).one()
                bundle = bundle_by_ids(session, instance.process_key, instance.bundle)
                host = ScriptHost(session, application, "bench.cca", now)
                action = CompleteUserTask(task.id, task.name, {"decision": "approve"}, "bench.cca")
                state = instance.state
                before = statements
                started = time.perf_counter()
                workflow = load_workflow(state, bundle, SandboxedEnvironment(host.helpers()))
                run_engine(workflow, action.apply, now)
                dump_state(workflow)
                times.append((time.perf_counter() - started) * 1000)
                inside += statements - before
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    return times, inside


def _client_process(args: tuple[int, str, list[list[str]], Any]) -> tuple[list[float], int, float]:
    """One client process: a thread per list of task ids, each on its own connection.
    Returns (latencies ms, errors, CPU seconds used by this process)."""
    import threading

    port, token, per_thread, barrier = args
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def work(task_ids: list[str]) -> None:
        client = Client(port, token)
        mine = []
        for task_id in task_ids:
            status, _, elapsed = client.call(
                "POST", f"/api/v1/tasks/{task_id}/complete", {"data": {"decision": "approve"}}
            )
            mine.append(elapsed)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(ids,)) for ids in per_thread]
    barrier.wait()
    cpu_started = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.process_time() - cpu_started


def _concurrent(port: int, token: str, task_ids: list[str], clients: int) -> None:
    """Complete `task_ids` with `clients` concurrent connections spread over processes."""
    processes = max(2, clients // 8)
    per_process = clients // processes
    chunks = [task_ids[n::clients] for n in range(clients)]
    manager = multiprocessing.Manager()
    barrier = manager.Barrier(processes + 1)
    work = [(port, token, chunks[p * per_process : (p + 1) * per_process], barrier) for p in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending = pool.map_async(_client_process, work)
        barrier.wait()
        started = time.perf_counter()
        results = pending.get()
        wall = time.perf_counter() - started
    manager.shutdown()
    latencies = [value for result in results for value in result[0]]
    errors = sum(result[1] for result in results)
    client_cpu = sum(result[2] for result in results)
    cores = os.cpu_count() or 1
    print(
        f"complete cca_approval, {clients:>2} clients ({processes} processes): "
        f"{len(latencies) / wall:7.1f} completions/s   median {statistics.median(latencies):6.1f} ms   "
        f"p95 {percentile(latencies, 0.95):6.1f} ms   errors {errors}   n={len(latencies)}   "
        f"client CPU {client_cpu / wall / cores * 100:4.1f}% of {cores} cores",
        flush=True,
    )


def _state_sizes(database: Database, name: str) -> list[int]:
    with database.sessions() as session:
        query = (
            select(ProcessInstance.state)
            .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
            .where(HumanTask.state == "open", HumanTask.name == name)
        )
        return [len(state) for state in session.scalars(query)]


def _print_size(name: str, sizes: list[int]) -> None:
    if sizes:
        print(
            f"stored state at {name:<30} median {statistics.median(sizes) / 1024:5.2f} KB   "
            f"max {max(sizes) / 1024:5.2f} KB   n={len(sizes)}"
        )


def main() -> None:
    """Seed, serve, measure, print."""
    submissions = min(SEQUENTIAL, 100)
    concurrent_total = sum(clients * PER_CLIENT // 4 for clients in CONCURRENCY)
    applications = SEQUENTIAL + concurrent_total + 50
    with bench_database() as (url, folder):
        settings = settings_for(url, folder)
        database = prepared_database(settings)
        started = time.perf_counter()
        seeded = _seed(database, applications, submissions)
        engine_name = database.engine.dialect.name
        print(
            f"database: {engine_name}; gunicorn sync workers: {WORKERS}; applications: {applications} "
            f"(seeded in {time.perf_counter() - started:.0f} s); cores: {os.cpu_count()}",
            flush=True,
        )
        _print_size("cca_approval", _state_sizes(database, "cca_approval"))
        with database.sessions() as session:
            rows = session.execute(
                select(HumanTask.id, HumanTask.instance_id)
                .where(HumanTask.state == "open", HumanTask.name == "cca_approval")
                .order_by(HumanTask.created_at, HumanTask.id)
            ).all()
        task_ids = [row[0] for row in rows]
        bare_sample = [row[1] for row in rows[:SEQUENTIAL]]
        bare, inside = _bare_steps(database, settings, bare_sample)

        with gunicorn(settings, WORKERS) as port:
            officer = Client(port)
            submit = []
            application_ids = []
            for token in seeded["officer_tokens"][:submissions]:
                status, body, elapsed = officer.call(
                    "POST", "/api/v1/applications", {"course_run_id": seeded["run_id"], "declaration": True}, token
                )
                if status != 201:
                    raise RuntimeError(f"submission failed: {status} {body}")
                submit.append(elapsed)
                application_ids.append(body["id"])
            report("submit application (HTTP, to first wait)", submit)

            cca = Client(port, seeded["tokens"]["cca"])
            dopt = Client(port, seeded["tokens"]["dopt"])
            report("inbox GET /api/v1/tasks, CCA approver", [cca.call("GET", "/api/v1/tasks")[2] for _ in range(100)])
            report("inbox GET /api/v1/tasks, DoPT", [dopt.call("GET", "/api/v1/tasks")[2] for _ in range(100)])
            report(
                "application page GET /api/v1/applications/{id}",
                [
                    cca.call("GET", f"/api/v1/applications/{application_ids[n % len(application_ids)]}")[2]
                    for n in range(100)
                ],
            )
            report(
                "application list GET /api/v1/applications",
                [dopt.call("GET", "/api/v1/applications")[2] for _ in range(50)],
            )

            sequential = []
            for task_id in task_ids[:SEQUENTIAL]:
                status, body, elapsed = cca.call(
                    "POST", f"/api/v1/tasks/{task_id}/complete", {"data": {"decision": "approve"}}
                )
                if status != 200:
                    raise RuntimeError(f"completion failed: {status} {body}")
                sequential.append(elapsed)
            http_figures = report("complete cca_approval (HTTP, sequential)", sequential)
            bare_figures = report("bare engine step, same instances (no DB, no HTTP)", bare)
            print(f"SQL statements inside the timed bare steps: {inside}")
            print(
                f"ratio: HTTP completion median / bare step median = {http_figures['p50'] / bare_figures['p50']:.2f}",
                flush=True,
            )
            _print_size("dopt_confirmation", _state_sizes(database, "dopt_confirmation"))

            remaining = task_ids[SEQUENTIAL:]
            for clients in CONCURRENCY:
                count = clients * PER_CLIENT // 4
                batch, remaining = remaining[:count], remaining[count:]
                _concurrent(port, seeded["tokens"]["cca"], batch, clients)
        database.engine.dispose()


if __name__ == "__main__":
    main()
