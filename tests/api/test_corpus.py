"""Every diagram of the BPMN MIWG corpus (826 exports from about 40 tools) is deployed or refused
with a 422 that names the problem; no 500, no hang, nothing half-deployed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.bootstrap import Database
from engine.config import PROJECT_ROOT
from engine.models import ProcessDefinition
from tests.api.conftest import Api

# Beside the checkout (../shared); IGOT_CORPUS_DIR names it where the checkout is elsewhere (a worktree).
CORPUS = Path(os.environ.get("IGOT_CORPUS_DIR") or PROJECT_ROOT.parent / "shared" / "corpora" / "bpmn-miwg")


def _definitions(db: Database) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count(ProcessDefinition.id))) or 0)


def test_every_corpus_diagram_is_deployed_or_refused_with_a_reason(
    backend: str, client: FlaskClient, staff: dict[str, Api], db: Database
) -> None:
    if backend != "sqlite":
        pytest.skip("the corpus exercises parsing and validation, which do not depend on the database")
    files = sorted(CORPUS.rglob("*.bpmn"))
    if not files:
        pytest.skip(f"corpus not found at {CORPUS}")
    assert len(files) >= 800
    owner = staff["owner"]
    headers = {"Authorization": f"Bearer {owner.token}", "Content-Type": "application/xml"}
    created = 0
    outcomes: dict[int, int] = {}
    slowest = 0.0
    before = _definitions(db)
    for path in files:
        started = time.perf_counter()
        response = client.post("/api/v1/process-definitions", data=path.read_bytes(), headers=headers)
        slowest = max(slowest, time.perf_counter() - started)
        outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
        assert response.status_code in (200, 201, 422), (path, response.status_code, response.json)
        if response.status_code == 422:
            error = response.json["error"]
            assert error["details"] and all(detail.strip() for detail in error["details"]), path
            assert error["message"].startswith(("Process", "The BPMN file")), path
        if response.status_code == 201:
            created += 1
    assert _definitions(db) == before + created
    assert outcomes.get(422, 0) > 0 and created > 0
    assert slowest < 10, f"slowest diagram took {slowest:.1f}s"
