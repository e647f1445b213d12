"""Where the time of one completion goes: cProfile over POST /api/v1/tasks/{id}/complete in
this process (Flask's test client, no network), on the benchmark's own database.

`python -m benchmarks.profile [count]` prints the functions with the most cumulative time and
the SQL statements one completion sends.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from typing import Any

from sqlalchemy import event, select

from benchmarks.harness import bench_database, prepared_database, settings_for
from benchmarks.run import _seed
from engine.models import HumanTask
from webapp import create_app
from webapp.core.database import db as web_db


def main() -> None:
    """Seed `count` applications, complete them all under the profiler, print the profile."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with bench_database() as (url, folder):
        settings = settings_for(url, folder)
        database = prepared_database(settings)
        seeded = _seed(database, count + 1, 0)
        with database.sessions() as session:
            task_ids = list(
                session.scalars(select(HumanTask.id).where(HumanTask.state == "open").order_by(HumanTask.created_at))
            )
        database.engine.dispose()
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": folder})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {seeded['tokens']['cca']}"}
        body = {"data": {"decision": "approve"}}
        assert client.post(f"/api/v1/tasks/{task_ids[0]}/complete", json=body, headers=headers).status_code == 200
        statements: list[str] = []

        def note(_c: Any, _k: Any, statement: str, *_a: Any) -> None:
            statements.append(statement.split("\n")[0][:110])

        with app.app_context():
            engine = web_db.engine
        event.listen(engine, "before_cursor_execute", note)
        assert client.post(f"/api/v1/tasks/{task_ids[1]}/complete", json=body, headers=headers).status_code == 200
        event.remove(engine, "before_cursor_execute", note)
        print(f"{len(statements)} SQL statements in one completion:")
        for statement in statements:
            print("  ", statement)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for task_id in task_ids[2:]:
            client.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=headers)
        profiler.disable()
        print(f"{(time.perf_counter() - started) * 1000 / (len(task_ids) - 2):.2f} ms per completion (profiled)")
        pstats.Stats(profiler).sort_stats(os.environ.get("IGOT_PROFILE_SORT", "cumulative")).print_stats(
            int(os.environ.get("IGOT_PROFILE_LINES", "70"))
        )
        with app.app_context():
            web_db.engine.dispose()


if __name__ == "__main__":
    main()
