"""The forms deployed with the processes: list, read, and deploy a changed form on its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from engine.definitions import DeployResult, deploy_bundle, latest_definitions
from engine.errors import NotFound
from engine.form_versions import current_bindings, schemas_by_sha


@dataclass(frozen=True)
class DeployedForm:
    """A form file as the newest versions bind it, and the processes whose newest version uses it."""

    filename: str
    sha256: str
    processes: tuple[str, ...]


def deployed_forms(session: Session) -> list[DeployedForm]:
    """Every form file the newest deployed versions bind, by file name."""
    latest = latest_definitions(session)
    current = current_bindings(latest)
    return [
        DeployedForm(
            name,
            sha,
            tuple(sorted(d.key for d in latest.values() if (d.forms or {}).get(name) is not None)),
        )
        for name, sha in sorted(current.items())
    ]


def deployed_form(session: Session, filename: str) -> tuple[DeployedForm, str]:
    """One deployed form and its text (the file as deployed), or NotFound."""
    found = next((form for form in deployed_forms(session) if form.filename == filename), None)
    if found is None:
        raise NotFound(f"no deployed process uses form '{filename}'")
    return found, schemas_by_sha(session, [found.sha256])[found.sha256][0]


def deploy_form(
    session: Session, filename: str, content: bytes, actor: str, forms_dir: Path, comment: str | None = None
) -> list[DeployResult]:
    """Deploy a changed form: a new version (same XML, the new form) of every process whose
    newest version uses it, checked and rehearsed together as one bundle; `comment` is each
    new version's comment.

    Unchanged content gives unchanged results. Raises NotFound when no deployed process
    uses `filename` (a new form is deployed with the BPMN that uses it), and Invalid or
    DeployRefused as `deploy` does.
    """
    users = [d for d in latest_definitions(session).values() if filename in (d.forms or {})]
    if not users:
        raise NotFound(f"no deployed process uses form '{filename}': deploy a new form with the BPMN that uses it")
    users.sort(key=lambda d: d.key)
    xml = [d.xml.encode("utf-8") for d in users]
    return deploy_bundle(session, xml, actor, forms_dir, {filename: content}, comment=comment)
