"""Deadline day: many officers register, sign in and apply at once, against gunicorn on
PostgreSQL. `make bench-deadline` runs it; not part of `make test` or `make bench`.

IGOT_LOAD_CLIENTS concurrent clients (default 50; threads spread over several processes,
each thread one officer after another: register, sign in, apply) make IGOT_LOAD_APPLICATIONS
applications in all (default 10,000), once with 2 gunicorn sync workers and once with 4
(IGOT_LOAD_WORKERS, comma-separated), each on a fresh database. Prints the errors and
p50/p95/p99 per call, the applications per second and the client's CPU use; and first, the
password hash's cost (hashes per second on one core), which bounds registration and sign-in.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from datetime import UTC, datetime
from typing import Any

from benchmarks.harness import (
    PASSWORD,
    Client,
    CourseDates,
    bench_database,
    gunicorn,
    officer_body,
    percentile,
    prepared_database,
    settings_for,
)
from engine.passwords import _N, _P, _R, hash_password
from engine.services.people import create_user
from engine.services.reference import create_course_run

CLIENTS = int(os.environ.get("IGOT_LOAD_CLIENTS", "50"))
APPLICATIONS = int(os.environ.get("IGOT_LOAD_APPLICATIONS", "10000"))
WORKER_COUNTS = [int(n) for n in os.environ.get("IGOT_LOAD_WORKERS", "2,4").split(",")]
PROCESSES = 5


def _hash_rate() -> float:
    """Password hashes per second on one core (the strength the application uses)."""
    started = time.perf_counter()
    count = 20
    for _ in range(count):
        hash_password(PASSWORD)
    return count / (time.perf_counter() - started)


def _officer(port: int, run_id: int, username: str, timings: dict[str, list[float]], errors: dict[str, int]) -> None:
    client = Client(port)

    def call(kind: str, method: str, path: str, body: Any, expected: int, token: str | None = None) -> Any:
        try:
            status, answer, elapsed = client.call(method, path, body, token)
        except OSError:
            errors[kind] = errors.get(kind, 0) + 1
            return None
        timings.setdefault(kind, []).append(elapsed)
        if status != expected:
            errors[kind] = errors.get(kind, 0) + 1
            return None
        return answer

    if call("register", "POST", "/api/v1/officers", officer_body(username), 201) is None:
        return
    signed = call("sign in", "POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD}, 200)
    if signed is None:
        return
    call("apply", "POST", "/api/v1/applications", {"course_run_id": run_id, "declaration": True}, 201, signed["token"])


def _client_process(
    args: tuple[int, int, list[list[str]], Any],
) -> tuple[dict[str, list[float]], dict[str, int], float]:
    port, run_id, per_thread, barrier = args
    timings: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def work(usernames: list[str]) -> None:
        mine: dict[str, list[float]] = {}
        my_errors: dict[str, int] = {}
        for username in usernames:
            _officer(port, run_id, username, mine, my_errors)
        with lock:
            for kind, values in mine.items():
                timings.setdefault(kind, []).extend(values)
            for kind, count in my_errors.items():
                errors[kind] = errors.get(kind, 0) + count

    threads = [threading.Thread(target=work, args=(names,)) for names in per_thread]
    barrier.wait()
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, errors, time.process_time() - cpu


def _run(workers: int) -> None:
    with bench_database() as (url, folder):
        settings = settings_for(url, folder)
        database = prepared_database(settings)
        dates = CourseDates.open_now()
        with database.sessions() as session, session.begin():
            create_user(session, "load.cca", PASSWORD, ["cca_approver"], "DOPT-IAS")
            run_id = create_course_run(
                session,
                {
                    "course": "CGP",
                    "starts_on": dates.starts_on,
                    "registration_closes_on": dates.registration_closes_on,
                    "ends_on": dates.ends_on,
                },
            ).id
        database.engine.dispose()
        usernames = [f"load{n}" for n in range(APPLICATIONS)]
        per_client = [usernames[n::CLIENTS] for n in range(CLIENTS)]
        per_process = [per_client[p::PROCESSES] for p in range(PROCESSES)]
        with gunicorn(settings, workers) as port:
            manager = multiprocessing.Manager()
            barrier = manager.Barrier(PROCESSES + 1)
            with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
                pending = pool.map_async(_client_process, [(port, run_id, chunk, barrier) for chunk in per_process])
                barrier.wait()
                started = time.perf_counter()
                results = pending.get()
                wall = time.perf_counter() - started
            manager.shutdown()
        timings: dict[str, list[float]] = {}
        errors: dict[str, int] = {}
        for part, part_errors, _cpu in results:
            for kind, values in part.items():
                timings.setdefault(kind, []).extend(values)
            for kind, count in part_errors.items():
                errors[kind] = errors.get(kind, 0) + count
        client_cpu = sum(result[2] for result in results)
        calls = sum(len(values) for values in timings.values())
        applied = len(timings.get("apply", [])) - errors.get("apply", 0)
        print(
            f"gunicorn {workers} sync workers, {CLIENTS} clients: {applied} applications in {wall:.0f} s "
            f"({applied / wall:.1f}/s), {calls} calls, errors {sum(errors.values())} {errors or ''}, "
            f"client CPU {client_cpu / wall / (os.cpu_count() or 1) * 100:.1f}% of {os.cpu_count()} cores",
            flush=True,
        )
        for kind in ("register", "sign in", "apply"):
            values = timings.get(kind, [])
            if values:
                print(
                    f"  {kind:<9} p50 {percentile(values, 0.5):7.1f} ms   p95 {percentile(values, 0.95):7.1f} ms   "
                    f"p99 {percentile(values, 0.99):7.1f} ms   n={len(values)}",
                    flush=True,
                )


def main() -> None:
    """The hash's cost, then one run per worker count."""
    rate = _hash_rate()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; password hash scrypt N={_N} r={_R} p={_P} "
        f"({128 * _N * _R // 2**20} MiB): {rate:.1f} hashes/s on one core ({1000 / rate:.1f} ms each)",
        flush=True,
    )
    for workers in WORKER_COUNTS:
        _run(workers)


if __name__ == "__main__":
    main()
