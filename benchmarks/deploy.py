"""How long a deploy takes with every scenario rehearsed. `make bench` runs it.

On a fresh database (SQLite in a temporary folder, or IGOT_BENCH_DATABASE_URL's
PostgreSQL, whose tables it recreates): the deploy of the four shipped processes as
`igot init` does it (one bundle, every scenario of processes/scenarios rehearsed), then
the redeploy of a changed cadre_approval (its scenarios and enrollment's). Each figure is
repeated on an emptied database; the first, in a fresh Python process, includes the
one-off costs (imports done, but sandbox and template caches cold).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, text

from engine.bootstrap import open_database
from engine.bpmn.scenario_store import seed_scenarios
from engine.config import PROJECT_ROOT, Settings
from engine.db import Base
from engine.definitions import deploy, deploy_directory, forget_rehearsals
from engine.models import FormSchema, ProcessDefinition, ProcessScenario
from engine.schema import upgrade

ROUNDS = int(os.environ.get("IGOT_BENCH_DEPLOY_ROUNDS", "5"))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="igot-bench-deploy-"))
    url = os.environ.get("IGOT_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    settings = Settings(url, folder, PROJECT_ROOT / "processes", PROJECT_ROOT / "forms", folder / "uploads")
    database = open_database(settings)
    if url.startswith("postgresql"):
        with database.engine.begin() as connection:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"DROP TABLE IF EXISTS {names}, alembic_version CASCADE"))
    upgrade(database.engine)
    print(f"database: {database.engine.url.render_as_string(hide_password=True)}")
    changed = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8").replace('"P7D"', '"P5D"')
    shipped, redeployed, rehearsed = [], [], 0
    for _round in range(ROUNDS):
        forget_rehearsals()  # every round rehearses every scenario, as a first deploy does
        with database.sessions() as session, session.begin():
            for model in (ProcessScenario, ProcessDefinition, FormSchema):
                session.execute(delete(model))
        with database.sessions() as session, session.begin():
            started = time.perf_counter()
            seed_scenarios(session, settings.processes_dir / "scenarios", "bench", datetime.now(UTC))
            results = deploy_directory(session, settings.processes_dir, "bench", settings.forms_dir)
            shipped.append(time.perf_counter() - started)
            rehearsed = len({(r.process, r.name) for result in results for r in result.scenarios})
        forget_rehearsals()
        with database.sessions() as session, session.begin():
            started = time.perf_counter()
            result = deploy(session, changed.encode(), "bench", settings.forms_dir)
            redeployed.append(time.perf_counter() - started)
    print(
        f"four processes, {rehearsed} scenarios rehearsed: first {shipped[0]:.2f} s, "
        f"then median {statistics.median(shipped[1:] or shipped):.2f} s (rounds: {ROUNDS})"
    )
    print(
        f"changed cadre_approval, {len(result.scenarios)} scenarios rehearsed: first {redeployed[0]:.2f} s, "
        f"then median {statistics.median(redeployed[1:] or redeployed):.2f} s"
    )
    database.engine.dispose()


if __name__ == "__main__":
    main()
