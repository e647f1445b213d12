"""The versions of each process for process owners and DoPT: who deployed each, when and why,
how many applications run on it; rolling back to an older one; checking a diagram without
deploying it; previewing a user task's instructions.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from engine.access import can_deploy, can_read_processes
from engine.bpmn.problems import Problem, element_ids, locate, scenario_element
from engine.bpmn.profiles import start_data
from engine.bpmn.rehearsal import ScenarioResult
from engine.bpmn.scenario_format import read_scenario
from engine.definitions import DeployResult, check_deploy, deploy, get_definition
from engine.errors import Conflict, DeployRefused, Forbidden, Invalid, NotFound
from engine.form_versions import schemas_by_sha
from engine.models import ProcessDefinition, ProcessInstance, ProcessScenario, User
from engine.services.repair import checked_reason
from engine.steps import preview_instructions
from engine.validation import deployable_process, parse_xml
from engine.xml_encoding import utf8_xml

LIVE = ("running", "suspended")
MAX_TEMPLATE = 20_000
SAMPLE_PROFILE = "eligible_officer"


def _require_reader(user: User) -> None:
    if not can_read_processes(user):
        raise Forbidden("Only process owners and DoPT see the process versions")


def _require_deployer(user: User) -> None:
    if not can_deploy(user):
        raise Forbidden("Only process owners deploy process versions")


@dataclass(frozen=True)
class VersionRow:
    """One deployed version (its XML not loaded) and how many live applications run on it."""

    definition: ProcessDefinition
    applications: int


@dataclass(frozen=True)
class ProcessRow:
    """A deployed process: its newest version, how many versions, how many live applications in all."""

    key: str
    newest: ProcessDefinition
    versions: int
    applications: int


def live_applications_by_definition(session: Session) -> Counter[int]:
    """Definition id -> how many running or suspended instances bind it (their own process or one they call).

    Reads the bundle (a short list of ids) of every live instance: one query.
    """
    counts: Counter[int] = Counter()
    for bundle in session.scalars(select(ProcessInstance.bundle).where(ProcessInstance.status.in_(LIVE))):
        counts.update({int(definition_id) for definition_id in bundle})
    return counts


def _all_versions(session: Session) -> list[ProcessDefinition]:
    query = (
        select(ProcessDefinition)
        .options(defer(ProcessDefinition.xml))
        .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
    )
    return list(session.scalars(query))


def list_processes(session: Session, user: User) -> list[ProcessRow]:
    """Every deployed process by key, with its newest version. Raises Forbidden (process_owner, dopt)."""
    _require_reader(user)
    counts = live_applications_by_definition(session)
    rows: dict[str, ProcessRow] = {}
    for definition in _all_versions(session):
        row = rows.get(definition.key)
        live = counts[definition.id]
        if row is None:
            rows[definition.key] = ProcessRow(definition.key, definition, 1, live)
        else:
            rows[definition.key] = ProcessRow(row.key, row.newest, row.versions + 1, row.applications + live)
    return list(rows.values())


def list_versions(session: Session, user: User, key: str) -> list[VersionRow]:
    """Every version of one process, newest first, with its live applications.

    Raises Forbidden (process_owner, dopt) or NotFound when the process is not deployed.
    """
    _require_reader(user)
    query = (
        select(ProcessDefinition)
        .options(defer(ProcessDefinition.xml))
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
    )
    definitions = list(session.scalars(query))
    if not definitions:
        raise NotFound(f"process '{key}' is not deployed")
    counts = live_applications_by_definition(session)
    return [VersionRow(definition, counts[definition.id]) for definition in definitions]


def roll_back(
    session: Session, user: User, key: str, version: int, reason: Any, forms_dir: Path
) -> tuple[DeployResult, ProcessDefinition]:
    """Deploy version `version` of `key` again as the newest, with the forms it bound, through the
    normal deploy and all its checks; the reason is the new version's comment.

    Returns the deploy's result and the version restored. Raises Forbidden (process owners
    only), Invalid (no reason), NotFound, Conflict when that version's content is already the
    newest, or DeployRefused (it no longer passes the checks: a scenario added since, say).
    """
    _require_deployer(user)
    why = checked_reason(reason)
    restored = get_definition(session, key, version)
    bound = dict(restored.forms or {})
    stored = schemas_by_sha(session, bound.values())
    forms = {name: stored[sha][0].encode("utf-8") for name, sha in bound.items() if sha in stored}
    result = deploy(
        session,
        restored.xml.encode("utf-8"),
        user.username,
        forms_dir,
        forms,
        charset="utf-8",
        comment=why,
        restores_version=version,
    )
    if not result.created:
        raise Conflict(f"version {version} of {key} is what the newest version ({result.version}) already is")
    return result, restored


@dataclass(frozen=True)
class CheckedScenario:
    """A scenario rehearsed by a check, and the element of the checked diagram where it failed (if any)."""

    result: ScenarioResult
    element: str | None


@dataclass(frozen=True)
class ValidationReport:
    """What deploying a diagram would do, without deploying it.

    `valid`: it would deploy (or is unchanged); `key` its process, when it can be read;
    `changed`: it differs from the newest version; `problems` the reasons it would be
    refused (each with its element where the diagram has it); `scenarios` every scenario
    rehearsed (none when an earlier check already refused it, or when nothing changed).
    """

    key: str | None
    valid: bool
    changed: bool
    problems: tuple[Problem, ...]
    scenarios: tuple[CheckedScenario, ...]


def validate_diagram(
    session: Session,
    user: User,
    xml: bytes,
    forms_dir: Path,
    forms: Mapping[str, bytes] | None = None,
    charset: str | None = None,
) -> ValidationReport:
    """Run deploy's whole check (rules, parse, forms, scenarios) on a diagram and store nothing.

    Raises Forbidden (process owners only); every reason the diagram would be refused is in
    the report, not raised.
    """
    _require_deployer(user)
    text = _utf8(xml, charset)
    ids = element_ids(text) if text is not None else set()
    try:
        checked = check_deploy(session, xml, forms_dir, forms, charset)
    except DeployRefused as refused:
        results = tuple(refused.scenarios)
        problems = () if results else tuple(locate(refused.details or [refused.message], ids))
        scenarios = tuple(CheckedScenario(result, scenario_element(result, ids)) for result in results)
        return ValidationReport(_key(text), False, True, problems, scenarios)
    scenarios = tuple(CheckedScenario(result, None) for result in checked.scenarios)
    return ValidationReport(checked.key, True, checked.changed, (), scenarios)


def _utf8(xml: bytes, charset: str | None) -> bytes | None:
    try:
        return utf8_xml(xml, charset)
    except ValueError:
        return None


def _key(xml: bytes | None) -> str | None:
    if xml is None:
        return None
    try:
        key = deployable_process(parse_xml(xml)).get("id")
    except ValueError:
        return None
    return str(key) if key else None


def instructions_preview(
    session: Session, user: User, template: Any, data: Any = None, process: Any = None, scenario: Any = None
) -> tuple[str | None, dict[str, Any]]:
    """A user task's instructions rendered as a task would show them, and the data used.

    The data is `data` (a JSON object) when given, else the start data of the stored
    scenario `scenario` of `process`, else the start data of an eligible officer (the
    scenarios' profile). Raises Forbidden (process owners only), Invalid (no template, a
    template over 20,000 characters, data that is not an object) or NotFound (no such scenario).
    """
    _require_deployer(user)
    if not isinstance(template, str) or not template.strip():
        raise Invalid("Give the instructions to preview", {"template": "The text of instructionsForEndUser"})
    if len(template) > MAX_TEMPLATE:
        raise Invalid("The instructions are too long", {"template": f"At most {MAX_TEMPLATE:,} characters"})
    sample = _sample(session, data, process, scenario)
    return preview_instructions(template, sample), sample


def _sample(session: Session, data: Any, process: Any, scenario: Any) -> dict[str, Any]:
    if data is not None:
        if not isinstance(data, dict):
            raise Invalid("The sample data must be an object", {"data": "A JSON object, as the task data"})
        return data
    if scenario is None or scenario == "":
        return start_data(SAMPLE_PROFILE, {})
    if not isinstance(process, str) or not isinstance(scenario, str):
        raise Invalid("Name the scenario and its process", {"scenario": "A scenario name and its process key"})
    row = session.scalars(
        select(ProcessScenario).where(ProcessScenario.process_key == process, ProcessScenario.name == scenario)
    ).one_or_none()
    if row is None:
        raise NotFound(f"process '{process}' has no scenario '{scenario}'")
    return dict(read_scenario(process, scenario, json.loads(row.document)).start_data)


def scenario_names(session: Session) -> list[tuple[str, str]]:
    """Every stored scenario as (process key, name), for choosing sample data."""
    rows = session.execute(
        select(ProcessScenario.process_key, ProcessScenario.name).order_by(
            ProcessScenario.process_key, ProcessScenario.name
        )
    )
    return [(str(key), str(name)) for key, name in rows]
