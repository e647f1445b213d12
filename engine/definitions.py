"""Deploying BPMN files as versioned definitions, and building the specs instances run on.

A deploy checks a candidate bundle: the new files (and their forms) in place of the
versions they replace, with every deployed process that calls them. It refuses, naming
the element, anything that cannot run as drawn: the XML, the sandbox, the graph rules
(engine/bpmn/graph.py), SpiffWorkflow's own parse, the user tasks and their forms, and
finally every scenario of every process the candidate touches, rehearsed in memory
(engine/bpmn/rehearsal.py). Only when all pass is anything stored.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from engine.bpmn.bundle import SpecBundle
from engine.bpmn.graph import check_graph
from engine.bpmn.rehearsal import FormsByProcess, ScenarioResult, run_scenario
from engine.bpmn.scenario_format import Scenario
from engine.bpmn.scenario_store import load_scenarios
from engine.bpmn_parser import DefinitionParser
from engine.errors import Conflict, DeployRefused, Invalid, NotFound
from engine.form_versions import (
    FormFile,
    canonical_json,
    current_bindings,
    form_filenames,
    read_form,
    resolve_forms,
    schemas_by_sha,
    store_forms,
)
from engine.forms import FormNotFound, load_form
from engine.models import ProcessDefinition
from engine.validation import NS, check_static, check_user_tasks, deployable_process, parse_xml
from engine.xml_encoding import utf8_xml

__all__ = [
    "DeployCheck",
    "DeployResult",
    "SpecBundle",
    "bundle_by_ids",
    "bundle_for_new_instance",
    "called_closure",
    "check_deploy",
    "checked_comment",
    "deploy",
    "deploy_bundle",
    "deploy_directory",
    "forget_rehearsals",
    "get_definition",
    "latest_definitions",
    "rehearse_on_latest",
]


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did: the key and version, whether a new version was created, and the
    scenarios rehearsed on the way (every one passed, or nothing was deployed)."""

    key: str
    version: int
    created: bool
    scenarios: tuple[ScenarioResult, ...] = ()


@dataclass
class _Candidate:
    """One file of a deploy, checked on its own: its process, its bytes and the forms it binds."""

    key: str
    xml: bytes
    digest: str
    forms: dict[str, FormFile]
    current: ProcessDefinition | None
    definition: ProcessDefinition = field(init=False)

    def __post_init__(self) -> None:
        self.definition = ProcessDefinition(
            key=self.key, sha256=self.digest, xml=self.xml.decode("utf-8"), forms=self.binding
        )

    @property
    def binding(self) -> dict[str, str]:
        return {name: form.sha256 for name, form in sorted(self.forms.items())}

    @property
    def unchanged(self) -> bool:
        """Same XML and the same forms as the newest version: nothing to deploy."""
        current = self.current
        return current is not None and current.sha256 == self.digest and (current.forms or {}) == self.binding


def _parser_for(xml_by_key: dict[str, bytes]) -> DefinitionParser:
    parser = DefinitionParser()
    for key, xml in xml_by_key.items():
        # Stored versions, and a candidate parse_xml has already read strictly in deploy().
        parser.add_bpmn_xml(parse_xml(xml, stored=True), filename=f"{key}.bpmn")
    return parser


def _specs(parser: DefinitionParser, key: str) -> tuple[Any, dict[str, Any]]:
    return parser.get_spec(key), parser.get_subprocess_specs(key)


_calls_by_sha: dict[str, tuple[str, ...]] = {}


def _calls(definition: ProcessDefinition) -> tuple[str, ...]:
    """The process ids a definition calls (cached by content, so its XML is read once)."""
    cached = _calls_by_sha.get(definition.sha256)
    if cached is None:
        root = parse_xml(definition.xml.encode("utf-8"), stored=True)
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


def list_definitions(
    session: Session, limit: int, offset: int, newest_first: bool = False
) -> tuple[list[ProcessDefinition], int]:
    """A page of every deployed version (without its XML), by key then version (the newest
    first when `newest_first`), and how many versions there are in all."""
    version = ProcessDefinition.version.desc() if newest_first else ProcessDefinition.version
    query = select(ProcessDefinition).options(defer(ProcessDefinition.xml))
    rows = session.scalars(query.order_by(ProcessDefinition.key, version).limit(limit).offset(offset))
    total = int(session.scalar(select(func.count(ProcessDefinition.id))) or 0)
    return list(rows), total


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


MAX_COMMENT = 500


def deploy(
    session: Session,
    xml: bytes,
    deployed_by: str,
    forms_dir: Path,
    forms: Mapping[str, bytes] | None = None,
    charset: str | None = None,
    comment: str | None = None,
    restores_version: int | None = None,
) -> DeployResult:
    """Validate a BPMN file (with the forms sent with it) and store it as the next version.

    `xml` is the file's bytes in any encoding it declares (or `charset`, the request's,
    names); it is stored as UTF-8 and its sha256 is that of the UTF-8 text, so the same
    diagram saved in another encoding is the same version. `forms` maps form file names to
    their bytes; a user task's form not sent binds the schema the newest deployed version
    using that name binds, else the file in `forms_dir`. Unchanged (same XML, same forms)
    is not re-versioned. Every scenario of every process whose call closure includes this
    one is rehearsed first. `comment` (at most 500 characters) says why, and is kept with
    the version; `restores_version` names the version a rollback deploys again. Raises
    Invalid for a comment too long, DeployRefused with every reason found (element and
    rule, or scenario, step and element; the rehearsed scenarios in `scenarios`), and
    stores nothing then.
    """
    return deploy_bundle(session, [xml], deployed_by, forms_dir, forms, charset, comment, restores_version)[0]


@dataclass(frozen=True)
class DeployCheck:
    """What deploying a file would do, checked the way a deploy checks it and not stored:
    its process key, whether it differs from the newest version, and the scenarios rehearsed."""

    key: str
    changed: bool
    scenarios: tuple[ScenarioResult, ...]


def check_deploy(
    session: Session,
    xml: bytes,
    forms_dir: Path,
    forms: Mapping[str, bytes] | None = None,
    charset: str | None = None,
) -> DeployCheck:
    """Run the whole check of `deploy` (rules, parse, forms, every scenario) and store nothing.

    The same code path as `deploy` up to the point where a deploy stores the version, so
    what passes here deploys (unless the deployed versions change meanwhile). Raises
    DeployRefused as `deploy` does.
    """
    checked = _check_bundle(session, [xml], forms_dir, forms, charset)
    candidate = checked.candidates[0]
    touching = tuple(
        result
        for result in checked.results
        if candidate.key in {d.key for d in called_closure(checked.definitions, result.process)}
    )
    return DeployCheck(candidate.key, not candidate.unchanged, touching)


@dataclass
class _Checked:
    """A candidate bundle that passed every check: its files, the definitions it would make
    (the newest deployed ones with the changed files in their place), the scenarios rehearsed."""

    candidates: list[_Candidate]
    definitions: dict[str, ProcessDefinition]
    results: list[ScenarioResult]

    @property
    def changed(self) -> dict[str, _Candidate]:
        return {c.key: c for c in self.candidates if not c.unchanged}


def _check_bundle(
    session: Session,
    files: Sequence[bytes],
    forms_dir: Path,
    forms: Mapping[str, bytes] | None,
    charset: str | None,
) -> _Checked:
    sent, problems = _read_sent(forms or {})
    if problems:
        raise DeployRefused(f"A form cannot be deployed: {problems[0]}", problems)
    latest = latest_definitions(session)
    candidates = [_candidate(session, xml, latest, sent, forms_dir, charset) for xml in files]
    problems = _bundle_problems(candidates, sent)
    if problems:
        raise DeployRefused(problems[0], problems)
    changed = {c.key: c for c in candidates if not c.unchanged}
    if not changed:
        return _Checked(candidates, dict(latest), [])
    definitions = {**latest, **{key: c.definition for key, c in changed.items()}}
    touched = [k for k in definitions if {d.key for d in called_closure(definitions, k)} & set(changed)]
    parsed, problems = _parse(definitions, touched, changed)
    if problems:
        raise DeployRefused(_summary(next(iter(changed)), problems), problems)
    results = _rehearse(session, parsed, definitions, changed, forms_dir)
    failed = [result.describe() for result in results if not result.passed]
    if failed:
        raise DeployRefused(_summary(next(iter(changed)), failed), failed, tuple(results))
    return _Checked(candidates, definitions, results)


def deploy_bundle(
    session: Session,
    files: Sequence[bytes],
    deployed_by: str,
    forms_dir: Path,
    forms: Mapping[str, bytes] | None = None,
    charset: str | None = None,
    comment: str | None = None,
    restores_version: int | None = None,
) -> list[DeployResult]:
    """Deploy several BPMN files together, as one candidate bundle: all or none.

    As `deploy`, for files that may call each other: they are checked with each other
    rather than with the versions they replace, and each scenario runs once. Returns one
    result per file, in order. Every form sent must be used by a user task of the files.
    `charset` (the request's, if any) applies to every file; `comment` to every version made.
    """
    said = checked_comment(comment)
    serialize_deploys(session)
    checked = _check_bundle(session, files, forms_dir, forms, charset)
    changed = checked.changed
    if not changed:
        return [DeployResult(c.key, c.current.version, created=False) for c in checked.candidates if c.current]
    store_forms(session, [form for c in changed.values() for form in c.forms.values()], deployed_by)
    versions: dict[str, int] = {}
    for key, candidate in changed.items():
        versions[key] = (candidate.current.version if candidate.current else 0) + 1
        definition = candidate.definition
        definition.version, definition.deployed_by = versions[key], deployed_by
        definition.comment, definition.restores_version = said, restores_version
        session.add(definition)
    try:
        session.flush()
    except IntegrityError as error:
        # Only where deploys are not serialized (serialize_deploys): another deploy took the number.
        raise Conflict(
            f"process '{next(iter(changed))}' was deployed by someone else meanwhile; reload it and deploy again"
        ) from error
    return [_result(c, versions, checked.results, checked.definitions) for c in checked.candidates]


DEPLOY_LOCK = 0x1607_0001
"""The PostgreSQL advisory lock that serializes deploys (any 64-bit number no other lock uses)."""


def serialize_deploys(session: Session) -> None:
    """Make deploys wait for each other until the deploying transaction ends.

    Two deploys of one process at once would both number their version n + 1, and the
    second would fail on the unique (key, version). On PostgreSQL a transaction-level
    advisory lock makes the second wait; it then reads the first one's version (READ
    COMMITTED: each statement sees what was committed before it) and numbers its own n + 2
    (or finds nothing changed). SQLite serializes writers already (BEGIN IMMEDIATE, see
    engine.db). Deploys are rare, so one lock for all of them costs nothing.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": DEPLOY_LOCK})


def checked_comment(comment: Any) -> str | None:
    """A deploy's comment as stored: stripped, None when empty; Invalid when not a text of
    at most 500 characters."""
    if comment is None:
        return None
    if not isinstance(comment, str):
        raise Invalid("The comment must be a text", {"comment": "A text saying why this version is deployed"})
    said = comment.strip()
    if len(said) > MAX_COMMENT:
        raise Invalid("The comment is too long", {"comment": f"At most {MAX_COMMENT} characters"})
    return said or None


def _read_sent(forms: Mapping[str, bytes]) -> tuple[dict[str, FormFile], list[str]]:
    sent: dict[str, FormFile] = {}
    problems: list[str] = []
    for filename, content in forms.items():
        try:
            sent[filename] = read_form(filename, content)
        except ValueError as error:
            problems.append(f"form '{filename}': {error}")
    return sent, problems


def _candidate(
    session: Session,
    xml: bytes,
    latest: dict[str, ProcessDefinition],
    sent: Mapping[str, FormFile],
    forms_dir: Path,
    charset: str | None,
) -> _Candidate:
    try:
        xml = utf8_xml(xml, charset)
        root = parse_xml(xml)
        process = deployable_process(root)
        xml.decode("utf-8")
    except (ValueError, UnicodeDecodeError) as error:
        raise DeployRefused(f"The BPMN file cannot be deployed: {error}", [str(error)]) from error
    key = process.get("id") or ""
    if not key:
        raise DeployRefused("The process has no id", ["process: no id attribute"])
    problems = check_static(process) + check_graph(process)
    used = form_filenames(process)
    forms, form_problems = resolve_forms(session, latest, used, sent, forms_dir)
    forms = _as_bound(session, forms, latest)
    problems += form_problems
    if problems:
        raise DeployRefused(_summary(key, problems), problems)
    return _Candidate(key, xml, hashlib.sha256(xml).hexdigest(), forms, latest.get(key))


def _as_bound(
    session: Session, forms: dict[str, FormFile], latest: Mapping[str, ProcessDefinition]
) -> dict[str, FormFile]:
    """The forms, each sent one that says what the bound form of its name says (other key
    order, other spacing) replaced by the bound one: formatting is no change, and makes no
    new version. Forms are compared as canonical JSON (sorted keys, no spaces), so `1` and
    `1.0`, or `true` and `1`, still differ."""
    bound = current_bindings(latest)
    differing = {name: bound[name] for name, form in forms.items() if name in bound and bound[name] != form.sha256}
    if not differing:
        return forms
    stored = schemas_by_sha(session, differing.values())
    same = dict(forms)
    for name, sha in differing.items():
        if sha in stored and canonical_json(stored[sha][1]) == canonical_json(forms[name].schema):
            same[name] = FormFile(name, sha, stored[sha][0], stored[sha][1])
    return same


def _bundle_problems(candidates: list[_Candidate], sent: Mapping[str, FormFile]) -> list[str]:
    problems: list[str] = []
    keys = [c.key for c in candidates]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"process '{key}' is in more than one of the files deployed together")
    used = {name for c in candidates for name in c.forms}
    for name in sorted(set(sent) - used):
        problems.append(f"form '{name}' is not used by any user task of the processes deployed with it")
    return problems


def _summary(key: str, problems: list[str]) -> str:
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"Process '{key}' cannot be deployed: {problems[0]}{more}"


_Parsed = dict[str, tuple[Any, dict[str, Any]]]


def _parse(
    definitions: dict[str, ProcessDefinition], touched: list[str], changed: Mapping[str, _Candidate]
) -> tuple[_Parsed, list[str]]:
    """SpiffWorkflow's parse of every touched process with what it calls, and the user-task
    checks of the changed ones; the specs by key, or the problems found."""
    needed = {d.key: d for key in touched for d in called_closure(definitions, key)}
    sources = {k: changed[k].xml if k in changed else d.xml.encode("utf-8") for k, d in needed.items()}
    first = next(iter(changed))
    try:
        parser = _parser_for(sources)
        parsed = {key: _specs(parser, key) for key in touched}
    except ValidationException as error:
        where = f"{error.id}: " if getattr(error, "id", None) else f"{first}: "
        return {}, [f"{where}{error.args[0] if error.args else error}"]
    except (SpiffWorkflowException, ValueError, KeyError, AttributeError, TypeError) as error:
        return {}, [f"{first}: the process cannot be read: {error}"]
    except etree.LxmlError as error:
        return {}, [f"{first}: the XML cannot be read: {error}"]
    problems: list[str] = []
    for key, candidate in changed.items():
        problems.extend(check_user_tasks(parsed[key][0], set(candidate.forms)))
    return parsed, problems


def _rehearse(
    session: Session,
    parsed: _Parsed,
    definitions: dict[str, ProcessDefinition],
    changed: Mapping[str, _Candidate],
    forms_dir: Path,
) -> list[ScenarioResult]:
    """Every stored scenario of the touched processes, run on the candidate bundle."""
    specs = {key: spec for spec, subs in parsed.values() for key, spec in [(spec.name, spec), *subs.items()]}
    forms = _forms_by_process(session, specs, definitions, changed, forms_dir)
    return _run_all(load_scenarios(session, parsed), parsed, definitions, forms)


def _run_all(
    scenarios: Iterable[Scenario | ScenarioResult],
    parsed: _Parsed,
    definitions: dict[str, ProcessDefinition],
    forms: FormsByProcess,
) -> list[ScenarioResult]:
    results: list[ScenarioResult] = []
    for scenario in scenarios:
        if isinstance(scenario, ScenarioResult):
            results.append(scenario)
            continue
        key = _rehearsal_key(scenario, definitions, forms)
        with _rehearsed_lock:
            passed = _rehearsed.get(key)
        if passed is not None:
            results.append(passed)
            continue
        spec, subprocess_specs = parsed[scenario.process]
        result = run_scenario(scenario, SpecBundle(scenario.process, (), spec, subprocess_specs, 0), forms)
        if result.passed:
            with _rehearsed_lock:
                _rehearsed[key] = result
                while len(_rehearsed) > MAX_REHEARSALS_KEPT:
                    _rehearsed.popitem(last=False)
        results.append(result)
    return results


# A rehearsal is a pure function of the scenario, the XML of the processes it runs and
# their forms (it reads no database and no clock), so a pass is kept by that content:
# checking a bundle and then deploying it, or deploying the same content again, rehearses
# once. Failures are not kept; they are run again and reported afresh.
MAX_REHEARSALS_KEPT = 4096
_rehearsed: OrderedDict[str, ScenarioResult] = OrderedDict()
_rehearsed_lock = threading.Lock()


def _rehearsal_key(scenario: Scenario, definitions: dict[str, ProcessDefinition], forms: FormsByProcess) -> str:
    closure = sorted(called_closure(definitions, scenario.process), key=lambda d: d.key)
    material = {d.key: [d.sha256, forms.get(d.key, {})] for d in closure}
    text = repr(scenario) + json.dumps(material, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def forget_rehearsals() -> None:
    """Drop every kept pass, so the next deploy rehearses everything (for measurements)."""
    with _rehearsed_lock:
        _rehearsed.clear()


def _forms_by_process(
    session: Session,
    specs: Mapping[str, Any],
    definitions: Mapping[str, ProcessDefinition],
    changed: Mapping[str, _Candidate],
    forms_dir: Path,
) -> dict[str, dict[str, Any]]:
    """Process key -> form file name -> the schema that version binds (for the rehearsal)."""
    bound = {key: dict(definitions[key].forms or {}) for key in specs if key not in changed and key in definitions}
    stored = schemas_by_sha(session, {sha for binding in bound.values() for sha in binding.values()})
    forms: dict[str, dict[str, Any]] = {}
    for key, spec in specs.items():
        if key in changed:
            forms[key] = {name: form.schema for name, form in changed[key].forms.items()}
            continue
        forms[key] = {name: stored[sha][1] for name, sha in bound.get(key, {}).items()}
        for name in _form_names(spec) - set(forms[key]):
            # A version deployed before forms were versioned: its tasks read forms/.
            try:
                forms[key][name] = load_form(forms_dir, name)
            except (FormNotFound, ValueError):
                continue
    return forms


def _form_names(spec: Any) -> set[str]:
    names = set()
    for task_spec in spec.task_specs.values():
        filename = (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get("formJsonSchemaFilename")
        if filename:
            names.add(str(filename))
    return names


def _result(
    candidate: _Candidate,
    versions: Mapping[str, int],
    results: list[ScenarioResult],
    definitions: dict[str, ProcessDefinition],
) -> DeployResult:
    if candidate.key not in versions:
        assert candidate.current is not None  # unchanged, so deployed before
        return DeployResult(candidate.key, candidate.current.version, created=False)
    touching = tuple(
        result for result in results if candidate.key in {d.key for d in called_closure(definitions, result.process)}
    )
    return DeployResult(candidate.key, versions[candidate.key], created=True, scenarios=touching)


def rehearse_on_latest(session: Session, scenarios: list[Scenario], forms_dir: Path) -> list[ScenarioResult]:
    """Run scenarios against the newest deployed version of their processes (and what those call).

    Raises NotFound when a scenario's process is not deployed.
    """
    latest = latest_definitions(session)
    keys = sorted({scenario.process for scenario in scenarios})
    for key in keys:
        if key not in latest:
            raise NotFound(f"process '{key}' is not deployed")
    parsed: _Parsed = {}
    for key in keys:
        bundle = bundle_for_new_instance(session, key)
        parsed[key] = (bundle.spec, bundle.subprocess_specs)
    specs = {key: spec for spec, subs in parsed.values() for key, spec in [(spec.name, spec), *subs.items()]}
    return _run_all(scenarios, parsed, latest, _forms_by_process(session, specs, latest, {}, forms_dir))


def deploy_directory(session: Session, directory: Path, deployed_by: str, forms_dir: Path) -> list[DeployResult]:
    """Deploy every BPMN file of a folder as one bundle, with the forms of `forms_dir` they use.

    The shipped forms are sent with the files, so a changed form file is deployed as the
    processes' new version, as a changed BPMN file is.
    """
    files = [path.read_bytes() for path in sorted(directory.glob("*.bpmn"))]
    used: set[str] = set()
    for xml in files:
        try:
            used.update(form_filenames(deployable_process(parse_xml(xml))))
        except ValueError:
            continue  # deploy_bundle refuses the file with its reason
    forms = {name: (forms_dir / name).read_bytes() for name in sorted(used) if (forms_dir / name).is_file()}
    return deploy_bundle(session, files, deployed_by, forms_dir, forms)


# Keyed by content (sha256 of every file), not by row ids: ids are only unique per database.
_bundle_cache: dict[tuple[str, tuple[str, ...]], SpecBundle] = {}
_bundle_lock = threading.Lock()


def _content(sha256: str, forms: Mapping[str, str] | None) -> str:
    """A version's content: its XML and the forms it binds (same XML with other forms differs)."""
    return sha256 + json.dumps(forms or {}, sort_keys=True)


def _cache_key(key: str, contents: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    return key, tuple(sorted(contents))


def _bundle(definitions: list[ProcessDefinition], key: str) -> SpecBundle:
    cache_key = _cache_key(key, [_content(d.sha256, d.forms) for d in definitions])
    with _bundle_lock:
        cached = _bundle_cache.get(cache_key)
    if cached is not None and cached.definition_ids == _bundle_ids(definitions, cached):
        return cached
    parser = _parser_for({d.key: d.xml.encode("utf-8") for d in definitions})
    spec, subprocess_specs = _specs(parser, key)
    needed = {key, *subprocess_specs}
    used = [d for d in definitions if d.key in needed]
    top_id = next(d.id for d in definitions if d.key == key)
    forms = {d.key: dict(d.forms or {}) for d in used}
    bundle = SpecBundle(key, tuple(sorted(d.id for d in used)), spec, subprocess_specs, top_id, forms)
    with _bundle_lock:
        _bundle_cache[cache_key] = bundle
        _bundle_cache[_cache_key(key, [_content(d.sha256, d.forms) for d in used])] = bundle
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
        select(ProcessDefinition.id, ProcessDefinition.sha256, ProcessDefinition.forms).where(
            ProcessDefinition.id.in_(ids)
        )
    ).all()
    with _bundle_lock:
        cached = _bundle_cache.get(_cache_key(key, [_content(row[1], row[2]) for row in rows]))
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
