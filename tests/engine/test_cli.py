"""The `igot` command: init is idempotent, demo fills every inbox, deploy and users, timers --now."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bootstrap import Database, open_database
from engine.config import Settings
from engine.models import Application, HumanTask, ProcessDefinition, User
from tests.engine.bpmn_samples import script_process
from tests.engine.test_deploy_inputs import encoded, german_review
from webapp.cli import main as igot


@pytest.fixture(autouse=True)
def _clean_database(db: Database) -> None:
    """Every CLI test starts from an initialised, otherwise empty database."""


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    database = open_database(settings)
    try:
        with database.sessions() as session:
            yield session
    finally:
        database.engine.dispose()


def _igot(settings: Settings, *args: str, input: str | None = None) -> Result:
    env = {"IGOT_DATABASE_URL": settings.database_url, "IGOT_INSTANCE_PATH": str(settings.instance_path)}
    return CliRunner().invoke(igot, list(args), env=env, input=input)


def test_init_twice_deploys_each_process_once(settings: Settings) -> None:
    first = _igot(settings, "init")
    second = _igot(settings, "init")
    assert first.exit_code == second.exit_code == 0
    assert "enrollment v1" in second.output and "unchanged" in second.output
    with _session(settings) as session:
        assert session.scalar(select(func.count(ProcessDefinition.id))) == 4


def test_demo_leaves_work_in_every_inbox_and_several_states(settings: Settings) -> None:
    result = _igot(settings, "demo")
    assert result.exit_code == 0, result.output
    assert "demo-pass-2026" in result.output
    with _session(settings) as session:
        statuses = set(session.scalars(select(Application.status)))
        roles = set(session.scalars(select(HumanTask.role).where(HumanTask.state == "open")))
    assert {"awaiting_cadre_approval", "awaiting_dopt_confirmation", "awaiting_coupon", "ineligible"} <= statuses
    assert {"awaiting_result", "claim_under_verification", "awaiting_payment", "reimbursed"} <= statuses
    assert {"officer", "cca_approver", "dopt", "course_team", "finance"} <= roles
    assert _igot(settings, "demo").exit_code == 0  # a second run adds nothing and does not fail


def test_user_add_with_password_prompt(settings: Settings) -> None:
    _igot(settings, "init")
    result = _igot(settings, "user", "add", "ravi", "--role", "dopt", input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    with _session(settings) as session:
        user = session.scalars(select(User).where(User.username == "ravi")).one()
        assert user.roles == ["dopt"]


def test_user_add_refuses_an_approver_without_a_cca(settings: Settings) -> None:
    _igot(settings, "init")
    result = _igot(settings, "user", "add", "meena", "--role", "cca_approver", "--password", "a-long-password")
    assert result.exit_code == 2
    assert "cca" in result.output


def test_deploy_reports_refusals_and_exits_non_zero(settings: Settings, tmp_path: Path) -> None:
    _igot(settings, "init")
    good = tmp_path / "good.bpmn"
    good.write_bytes(script_process("x = 1", key="good_one"))
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(script_process("import os", key="bad_one"))
    result = _igot(settings, "deploy", str(good), str(bad))
    assert result.exit_code == 1
    assert "good_one v1 deployed" in result.output
    assert "imports are not allowed" in result.output


def test_timers_refuses_a_time_without_offset(settings: Settings) -> None:
    _igot(settings, "init")
    result = _igot(settings, "timers", "--now", "2027-03-02T10:00:00")
    assert result.exit_code == 2
    assert "offset" in result.output


def test_deploy_prints_one_line_per_refusal_and_never_a_traceback(settings: Settings, tmp_path: Path) -> None:
    _igot(settings, "init")
    latin1 = tmp_path / "pruefung.bpmn"
    latin1.write_bytes(encoded(german_review("ISO-8859-1"), "latin-1"))
    doctype = tmp_path / "doctype.bpmn"
    doctype.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    two_problems = tmp_path / "two.bpmn"
    two_problems.write_bytes(
        script_process(
            "import os",
            key="two",
            extra='<bpmn:intermediateThrowEvent id="jump">'
            '<bpmn:linkEventDefinition id="l" name="L" /></bpmn:intermediateThrowEvent>',
        )
    )
    missing = tmp_path / "missing.bpmn"

    result = _igot(settings, "deploy", str(latin1), str(doctype), str(two_problems), str(missing), str(tmp_path))

    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{latin1}: pruefung v1 deployed"
    assert lines[1].startswith(f"{doctype}: refused: the file has a DOCTYPE")
    refusals = [line for line in lines[2:-2] if line.startswith(f"{two_problems}: refused: ")]
    assert len(refusals) == len(lines) - 4 and len(refusals) >= 2  # the import and the link event, at least
    assert any("import" in line for line in refusals) and any("link events" in line for line in refusals)
    assert lines[-2] == f"{missing}: cannot be read: No such file or directory"
    assert lines[-1] == f"{tmp_path}: cannot be read: Is a directory"


def test_deploy_reports_a_database_error_in_one_line(settings: Settings, tmp_path: Path) -> None:
    good = tmp_path / "good.bpmn"
    good.write_bytes(script_process("x = 1", key="good_one"))
    env = {
        "IGOT_DATABASE_URL": f"sqlite:///{tmp_path}/no/such/folder/igot.sqlite3",
        "IGOT_INSTANCE_PATH": str(tmp_path),
    }

    result = CliRunner().invoke(igot, ["deploy", str(good)], env=env)

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output.splitlines()) == 1
    assert "database" in result.output and "unable to open database file" in result.output


@pytest.mark.parametrize("command", ["timers", "mail"])
def test_workers_on_an_uninitialised_database_say_to_run_init_and_exit_non_zero(
    settings: Settings, tmp_path: Path, command: str
) -> None:
    env = {"IGOT_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "IGOT_INSTANCE_PATH": str(tmp_path)}
    result = CliRunner().invoke(igot, [command], env=env)
    assert result.exit_code == 1, result.output
    assert "is not initialised: run igot init first" in result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
