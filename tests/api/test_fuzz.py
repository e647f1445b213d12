"""The API fuzzed from its own OpenAPI document (Schemathesis): every operation, as every role
and signed out, with valid and invalid data, on SQLite and PostgreSQL. The property: no answer
is a 5xx, and every answer matches the schema the document gives for its status.

`make test` runs a few examples per operation and role with a fixed seed (derandomized, so
every run sends the same requests); `make fuzz` runs many more (IGOT_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.api.conftest import Api, open_run, register

# Examples per operation and role; `make fuzz` sets more.
EXAMPLES = int(os.environ.get("IGOT_FUZZ_EXAMPLES", "2"))
CHECKS = [not_a_server_error, response_schema_conformance]


def _tokens(client: FlaskClient, staff: dict[str, Api]) -> dict[str, str | None]:
    """A token per role, and none (signed out); an application in a run, so ids exist."""
    officer = register(client)
    run = open_run(staff["dopt"])
    created = officer.post("/applications", {"course_run_id": run["id"], "declaration": True})
    assert created.status_code == 201, created.json
    roles = ("cca", "dopt", "course_team", "finance", "owner", "admin")
    return {"signed_out": None, "officer": officer.token} | {role: staff[role].token for role in roles}


def test_no_server_error_and_every_answer_matches_its_schema(
    app: Flask, client: FlaskClient, staff: dict[str, Api]
) -> None:
    tokens = _tokens(client, staff)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    counts: Counter[str] = Counter()
    failures: dict[tuple[str, str], str] = {}
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @settings(
            max_examples=EXAMPLES * len(tokens),
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases, role=st.sampled_from(sorted(tokens)))
        def fuzz(case: Any, role: str) -> None:
            token = tokens[role]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            if not token:
                case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
            response = case.call(headers=headers)
            counts["examples"] += 1
            counts[f"status {response.status_code // 100}xx"] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except BaseException as error:  # every failing check is collected (a group), the run goes on
                if isinstance(error, KeyboardInterrupt):
                    raise
                kind = "server error" if response.status_code >= 500 else "schema mismatch"
                counts[kind] += 1
                failures.setdefault((case.operation.label, kind), f"{role} {response.status_code}: {str(error)[:800]}")

        fuzz()
        counts["operations"] += 1
    seconds = time.monotonic() - started
    print(f"\nfuzz: {dict(counts)}, {len(failures)} failing operations, {seconds:.1f} s")
    assert counts["operations"] >= 60
    assert not failures, "\n\n".join(f"{label} ({kind}): {text}" for (label, kind), text in failures.items())
