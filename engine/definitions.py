"""Deploying BPMN files as versioned definitions, and building the specs instances run on."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from engine.errors import DeployRefused, NotFound
from engine.models import ProcessDefinition
from engine.validation import NS, check_static, check_user_tasks, deployable_process, parse_xml


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did: the key and version, and whether a new version was created."""

    key: str
    version: int
    created: bool


@dataclass(frozen=True)
class SpecBundle:
    """A top process spec with the called process specs bound to it, from fixed versions."""

    key: str
    definition_ids: tuple[int, ...]
    spec: Any
    subprocess_specs: dict[str, Any]
    top_definition_id: int


def _parser_for(xml_by_key: dict[str, bytes]) -> SpiffBpmnParser:
    parser = SpiffBpmnParser()
    for key, xml in xml_by_key.items():
        parser.add_bpmn_xml(parse_xml(xml), filename=f"{key}.bpmn")
    return parser


def _specs(parser: SpiffBpmnParser, key: str) -> tuple[Any, dict[str, Any]]:
    return parser.get_spec(key), parser.get_subprocess_specs(key)


_calls_by_sha: dict[str, tuple[str, ...]] = {}


def _calls(definition: ProcessDefinition) -> tuple[str, ...]:
    """The process ids a definition calls (cached by content, so its XML is read once)."""
    cached = _calls_by_sha.get(definition.sha256)
    if cached is None:
        root = parse_xml(definition.xml.encode("utf-8"))
        cached = tuple(str(called) for called in root.xpath("//bpmn:callActivity/@calledElement", namespaces=NS))
        _calls_by_sha[definition.sha256] = cached
    return cached


def called_closure(definitions: dict[str, ProcessDefinition], key: str) -> list[ProcessDefinition]:
    """`key` and every deployed process it calls, directly or not (so we parse only those)."""
    found: dict[str, ProcessDefinition] = {}
    pending = [key]
    while pending:
        current = pending.pop()
        if current in found or current not in definitions:
            continue
        found[current] = definitions[current]
        pending.extend(_calls(definitions[current]))
    return list(found.values())


def latest_definitions(session: Session) -> dict[str, ProcessDefinition]:
    """The newest version of every deployed key."""
    newest = (
        select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.key)
        .subquery()
    )
    rows = session.scalars(
        select(ProcessDefinition)
        .options(defer(ProcessDefinition.xml))
        .join(
            newest,
            (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version),
        )
    )
    return {row.key: row for row in rows}


def get_definition(session: Session, key: str, version: int) -> ProcessDefinition:
    """One deployed version, or NotFound."""
    found = session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.key == key, ProcessDefinition.version == version)
    ).first()
    if found is None:
        raise NotFound(f"process {key} version {version} not found")
    return found


def deploy(session: Session, xml: bytes, deployed_by: str, forms_dir: Path) -> DeployResult:
    """Validate a BPMN file and store it as the next version of its process.

    Unchanged XML is not re-versioned. Refuses with every reason found, and stores
    nothing then.
    """
    try:
        root = parse_xml(xml)
        process = deployable_process(root)
    except ValueError as error:
        raise DeployRefused(f"The BPMN file cannot be deployed: {error}", [str(error)]) from error
    key = process.get("id") or ""
    if not key:
        raise DeployRefused("The process has no id", ["process: no id attribute"])
    problems = check_static(process)
    if problems:
        raise DeployRefused(_summary(key, problems), problems)

    digest = hashlib.sha256(xml).hexdigest()
    latest = latest_definitions(session)
    current = latest.get(key)
    if current is not None and current.sha256 == digest:
        return DeployResult(key, current.version, created=False)

    candidate = ProcessDefinition(key=key, sha256=digest, xml=xml.decode("utf-8", errors="replace"))
    closure = called_closure({**latest, key: candidate}, key)
    sources = {d.key: xml if d is candidate else d.xml.encode("utf-8") for d in closure}
    problems = _check_with_spiff(sources, key, forms_dir)
    if problems:
        raise DeployRefused(_summary(key, problems), problems)

    version = (current.version if current else 0) + 1
    session.add(
        ProcessDefinition(
            key=key,
            version=version,
            sha256=digest,
            xml=xml.decode("utf-8"),
            deployed_by=deployed_by,
        )
    )
    session.flush()
    return DeployResult(key, version, created=True)


def _summary(key: str, problems: list[str]) -> str:
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"Process '{key}' cannot be deployed: {problems[0]}{more}"


def _check_with_spiff(xml_by_key: dict[str, bytes], key: str, forms_dir: Path) -> list[str]:
    try:
        parser = _parser_for(xml_by_key)
        spec, subprocess_specs = _specs(parser, key)
    except ValidationException as error:
        where = f"{error.id}: " if getattr(error, "id", None) else f"{key}: "
        return [f"{where}{error.args[0] if error.args else error}"]
    except (SpiffWorkflowException, ValueError, KeyError, AttributeError, TypeError) as error:
        return [f"{key}: the process cannot be read: {error}"]
    except etree.LxmlError as error:
        return [f"{key}: the XML cannot be read: {error}"]
    problems = check_user_tasks(spec, forms_dir)
    for sub in subprocess_specs.values():
        problems.extend(check_user_tasks(sub, forms_dir))
    return problems


def deploy_directory(session: Session, directory: Path, deployed_by: str, forms_dir: Path) -> list[DeployResult]:
    """Deploy every BPMN file of a folder, called processes first so calls resolve."""
    pending = sorted(directory.glob("*.bpmn"))
    results: list[DeployResult] = []
    while pending:
        progress = False
        errors: list[DeployRefused] = []
        for path in list(pending):
            try:
                results.append(deploy(session, path.read_bytes(), deployed_by, forms_dir))
            except DeployRefused as error:
                errors.append(error)
                continue
            pending.remove(path)
            progress = True
        if not progress:
            raise errors[0]
    return results


# Keyed by content (sha256 of every file), not by row ids: ids are only unique per database.
_bundle_cache: dict[tuple[str, tuple[str, ...]], SpecBundle] = {}
_bundle_lock = threading.Lock()


def _cache_key(key: str, definitions: list[tuple[int, str]]) -> tuple[str, tuple[str, ...]]:
    return key, tuple(sorted(sha for _id, sha in definitions))


def _bundle(definitions: list[ProcessDefinition], key: str) -> SpecBundle:
    cache_key = _cache_key(key, [(d.id, d.sha256) for d in definitions])
    with _bundle_lock:
        cached = _bundle_cache.get(cache_key)
    if cached is not None and cached.definition_ids == _bundle_ids(definitions, cached):
        return cached
    parser = _parser_for({d.key: d.xml.encode("utf-8") for d in definitions})
    spec, subprocess_specs = _specs(parser, key)
    needed = {key, *subprocess_specs}
    used = [d for d in definitions if d.key in needed]
    top_id = next(d.id for d in definitions if d.key == key)
    bundle = SpecBundle(key, tuple(sorted(d.id for d in used)), spec, subprocess_specs, top_id)
    with _bundle_lock:
        _bundle_cache[cache_key] = bundle
        _bundle_cache[_cache_key(key, [(d.id, d.sha256) for d in used])] = bundle
    return bundle


def _bundle_ids(definitions: list[ProcessDefinition], bundle: SpecBundle) -> tuple[int, ...]:
    needed = {bundle.key, *bundle.subprocess_specs}
    return tuple(sorted(d.id for d in definitions if d.key in needed))


def bundle_for_new_instance(session: Session, key: str) -> SpecBundle:
    """The newest version of `key` with the newest versions of what it calls."""
    latest = latest_definitions(session)
    if key not in latest:
        raise NotFound(f"process '{key}' is not deployed")
    return _bundle(called_closure(latest, key), key)


def bundle_by_ids(session: Session, key: str, definition_ids: list[int]) -> SpecBundle:
    """The exact versions an instance started on (parsed once per set of files, then cached)."""
    ids = list(definition_ids)
    rows = session.execute(
        select(ProcessDefinition.id, ProcessDefinition.sha256).where(ProcessDefinition.id.in_(ids))
    ).all()
    with _bundle_lock:
        cached = _bundle_cache.get(_cache_key(key, [(row[0], row[1]) for row in rows]))
    if cached is not None and cached.definition_ids == tuple(sorted(ids)):
        return cached
    definitions = list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.id.in_(ids))))
    return _bundle(definitions, key)


def bundle_for_migration(
    session: Session, key: str, definition_ids: list[int], process: str, version: int
) -> SpecBundle:
    """The versions an instance of `key` bound to `definition_ids` would run on with `process` at `version`.

    Every other process keeps the version the instance is bound to; a process that only
    the new set calls comes at its newest version. Raises NotFound when that version is
    not deployed, and ValueError when the instance's process does not call `process`.
    """
    chosen = {
        d.key: d for d in session.scalars(select(ProcessDefinition).where(ProcessDefinition.id.in_(definition_ids)))
    }
    chosen[process] = get_definition(session, process, version)
    closure = called_closure({**latest_definitions(session), **chosen}, key)
    if process not in {definition.key for definition in closure}:
        raise ValueError(f"process '{key}' does not call '{process}'")
    full = list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.id.in_([d.id for d in closure]))))
    return _bundle(full, key)
