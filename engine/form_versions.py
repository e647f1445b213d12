"""Form schemas deployed with the process versions that use them.

A deployed version binds each form file its user tasks name to the exact schema deployed
with it (`ProcessDefinition.forms`: file name -> sha256 of a `FormSchema`, stored once by
content, like the BPMN). An inbox row records the schema its task opened with, so
changing a form never changes what an open task asks or accepts; new applications get
the new form through the new version.

Which schema a deploy binds, for each file name: the one sent with the deploy; else the
one bound to the newest deployed version that uses that name; else the file in forms/
(the shipped forms, before they were ever deployed).
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.form_patterns import pattern_problem
from engine.forms import TIDY_STEPS, is_form_filename, load_form
from engine.models import FormSchema, HumanTask, ProcessDefinition
from engine.validation import NS

MAX_FORM_BYTES = 256 * 1024


@dataclass(frozen=True)
class FormFile:
    """One form schema as deployed: its file name, the sha256 of its bytes, its text, parsed."""

    filename: str
    sha256: str
    content: str
    schema: dict[str, Any]


def read_form(filename: str, content: bytes) -> FormFile:
    """Check a form file sent by a process owner; raise ValueError with the reason.

    It must have a plain name ending in `.schema.json`, be at most 256 KB of UTF-8 JSON,
    hold an object, and be a valid JSON Schema (Draft 2020-12) whose `x-tidy` lists name
    only steps engine.forms knows.
    """
    if not is_form_filename(filename):
        raise ValueError("a form's file name is letters, digits, '_', '.' or '-', ending in .schema.json")
    if len(content) > MAX_FORM_BYTES:
        raise ValueError(f"the form is larger than {MAX_FORM_BYTES // 1024} KB")
    try:
        text = content.decode("utf-8")
        schema = json.loads(text)
    except UnicodeDecodeError as error:
        raise ValueError("the form is not UTF-8 text") from error
    except RecursionError as error:
        raise ValueError("the form is nested too deeply") from error
    except ValueError as error:
        raise ValueError(f"the form is not valid JSON: {error}") from error
    if not isinstance(schema, dict):
        raise ValueError("the form must be a JSON object (a JSON Schema)")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise ValueError(f"the form is not a valid JSON Schema: {error.message}") from error
    except RecursionError as error:
        raise ValueError("the form is nested too deeply") from error
    problems = schema_problems(schema)
    if problems:
        raise ValueError("; ".join(problems))
    for name, prop in (schema.get("properties") or {}).items():
        steps = prop.get("x-tidy") if isinstance(prop, dict) else None
        if steps is not None and (not isinstance(steps, list) or any(step not in TIDY_STEPS for step in steps)):
            raise ValueError(f"the field {name}: x-tidy is a list of {', '.join(TIDY_STEPS)}")
    return FormFile(filename, hashlib.sha256(content).hexdigest(), text, schema)


MAX_REFS = 200
"""`$ref`s a form may hold."""

_DATA_KEYWORDS = frozenset({"const", "default", "enum", "examples"})
"""Keywords whose values are data, not schemas: a `pattern` or `$ref` key in them means nothing."""


def schema_problems(schema: dict[str, Any]) -> list[str]:
    """What a form schema may not hold, beyond being valid JSON Schema; one reason each.

    - A `pattern` RE2 cannot run (engine.form_patterns): with Python's backtracking `re`,
      a pattern such as `^(a+)+$` would hold a worker for ever on a crafted value.
    - `patternProperties`: a form names its fields in `properties`; jsonschema matches
      pattern property names with `re`, outside RE2.
    - A `$ref` that is not a JSON pointer into the form itself (`#` or `#/...`), that
      points nowhere, or that refers back to itself, directly or through other `$ref`s:
      validating such a schema recurses without end. `$dynamicRef` and `$recursiveRef`
      are not used by forms.
    """
    problems: list[str] = []
    refs: dict[tuple[str, ...], tuple[str, ...]] = {}
    stack: list[tuple[tuple[str, ...], Any]] = [((), schema)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, list):
            stack.extend(((*path, str(index)), item) for index, item in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        where = _pointer(path)
        if isinstance(node.get("pattern"), str):
            problem = pattern_problem(node["pattern"])
            if problem:
                problems.append(f"the pattern {node['pattern'][:80]!r} at {where} cannot be used: {problem}")
        if "patternProperties" in node:
            problems.append(f"patternProperties at {where}: name each field in properties instead")
        for keyword in ("$dynamicRef", "$recursiveRef"):
            if keyword in node:
                problems.append(f"{keyword} at {where}: forms use $ref to #/$defs/... only")
        if "$ref" in node:
            target = _ref_target(schema, node["$ref"])
            if target is None:
                problems.append(
                    f"$ref {str(node['$ref'])[:80]!r} at {where}: a $ref must point into the form (#/$defs/...)"
                )
            else:
                refs[path] = target
        stack.extend(((*path, key), value) for key, value in node.items() if key not in _DATA_KEYWORDS)
    if len(refs) > MAX_REFS:
        return [*problems, f"the form has {len(refs)} $refs; at most {MAX_REFS}"]
    problems.extend(
        f"$ref at {_pointer(path)} refers back to itself (a schema that contains itself cannot be checked)"
        for path in _recursive_refs(refs)
    )
    return problems


def _pointer(path: tuple[str, ...]) -> str:
    return "#" + "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in path)


def _ref_target(schema: Any, ref: Any) -> tuple[str, ...] | None:
    """The path a local `$ref` ("#" or "#/a/b") points to, or None when it is not local or
    points nowhere."""
    if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
        return None
    tokens = (
        tuple(unquote(token).replace("~1", "/").replace("~0", "~") for token in ref[2:].split("/"))
        if ref != "#"
        else ()
    )
    node = schema
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return tokens


def _recursive_refs(refs: Mapping[tuple[str, ...], tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The `$ref`s (by the path of the schema holding them) from which following refs comes
    back to a schema already being expanded: a ref into one of its own ancestors (or
    itself), or a cycle of refs."""

    def inside(path: tuple[str, ...], target: tuple[str, ...]) -> bool:
        return path[: len(target)] == target

    following = {path: [other for other in refs if inside(other, target)] for path, target in refs.items()}
    state: dict[tuple[str, ...], int] = {}  # 1: being followed, 2: done
    recursive: list[tuple[str, ...]] = []

    def follow(path: tuple[str, ...]) -> bool:
        if state.get(path) == 1:
            return True
        if state.get(path) == 2:
            return False
        state[path] = 1
        looped = any(follow(other) for other in following[path])
        state[path] = 2
        return looped

    for path in sorted(refs):
        if follow(path):
            recursive.append(path)
    return recursive[:1]


def form_filenames(process: etree._Element) -> dict[str, list[str]]:
    """The form files a process's user tasks name: file name -> the ids of the tasks using it."""
    used: dict[str, list[str]] = {}
    for task in process.iterfind(".//bpmn:userTask", NS):
        for prop in task.iterfind(".//spiffworkflow:property[@name='formJsonSchemaFilename']", NS):
            filename = (prop.get("value") or "").strip()
            if filename:
                used.setdefault(filename, []).append(str(task.get("id")))
    return used


def resolve_forms(
    session: Session,
    latest: Mapping[str, ProcessDefinition],
    used: Mapping[str, list[str]],
    sent: Mapping[str, FormFile],
    forms_dir: Path,
) -> tuple[dict[str, FormFile], list[str]]:
    """The schema each used form file binds to, and a reason for each that cannot be used.

    `used` is `form_filenames` of the process; `sent` the forms deployed with it. A name
    found nowhere is left out (the user-task check reports it with the task).
    """
    current = current_bindings(latest)
    stored = schemas_by_sha(session, [current[name] for name in used if name in current and name not in sent])
    found: dict[str, FormFile] = {}
    problems: list[str] = []
    for filename, tasks in used.items():
        if filename in sent:
            found[filename] = sent[filename]
        elif filename in current:
            sha = current[filename]
            found[filename] = FormFile(filename, sha, stored[sha][0], stored[sha][1])
        elif is_form_filename(filename) and (forms_dir / filename).is_file():
            try:
                found[filename] = read_form(filename, (forms_dir / filename).read_bytes())
            except ValueError as error:
                problems.append(f"{tasks[0]}: form '{filename}': {error}")
    return found, problems


def canonical_json(schema: Any) -> str:
    """A schema as canonical JSON text: keys sorted, no spaces, non-ASCII kept (what two
    formattings of one form have in common)."""
    return json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def current_bindings(latest: Mapping[str, ProcessDefinition]) -> dict[str, str]:
    """File name -> sha256 of the form bound by the newest deployed version that uses it."""
    bound: dict[str, str] = {}
    for definition in sorted(latest.values(), key=lambda d: d.id):
        bound.update(definition.forms or {})
    return bound


_parsed: dict[str, tuple[str, dict[str, Any]]] = {}
_parsed_lock = threading.Lock()


def schemas_by_sha(session: Session, shas: Iterable[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Stored forms by sha256: (text, parsed schema). Parsed once per content, then cached
    (content-addressed, so the cache is right for every database). Callers must not change
    the schemas they get; `task_form` hands out copies.
    """
    wanted = set(shas)
    with _parsed_lock:
        found = {sha: _parsed[sha] for sha in wanted if sha in _parsed}
    missing = wanted - set(found)
    if missing:
        for row in session.scalars(select(FormSchema).where(FormSchema.sha256.in_(missing))):
            entry = (row.content, json.loads(row.content))
            found[row.sha256] = entry
            with _parsed_lock:
                _parsed[row.sha256] = entry
    return found


def store_forms(session: Session, forms: Iterable[FormFile], deployed_by: str) -> None:
    """Store each form not stored yet (by sha256)."""
    pending = {form.sha256: form for form in forms}
    if not pending:
        return
    known = set(session.scalars(select(FormSchema.sha256).where(FormSchema.sha256.in_(pending))))
    for sha, form in pending.items():
        if sha not in known:
            session.add(FormSchema(sha256=sha, content=form.content, deployed_by=deployed_by))


def task_form(session: Session, task: HumanTask, forms_dir: Path) -> dict[str, Any] | None:
    """The JSON Schema a task shows and checks: the one it opened with (a copy).

    Tasks opened before forms were versioned have none recorded and read forms/.
    Raises `engine.forms.FormNotFound` when such a file is missing.
    """
    if not task.form_file:
        return None
    if task.form_sha256 is None:
        return load_form(forms_dir, task.form_file)
    return copy.deepcopy(schemas_by_sha(session, [task.form_sha256])[task.form_sha256][1])
