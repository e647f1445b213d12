"""docs/API.md, the API's documentation in the repository, names exactly the operations of
the OpenAPI document (which test_openapi.py holds to the routes); the README's references
resolve inside the repository."""

from __future__ import annotations

import re

from engine.config import PROJECT_ROOT
from webapp.api.openapi import DOCUMENT

OPERATION = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`]*)`", re.M)


def _shape(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "{}", path)


def test_docs_api_md_has_a_row_for_each_operation_and_no_other() -> None:
    documented = {
        (method.upper(), _shape(path))
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method != "parameters"
    }
    text = (PROJECT_ROOT / "docs" / "API.md").read_text(encoding="utf-8")

    rows = [(method, _shape(path)) for method, path in OPERATION.findall(text)]

    assert sorted(set(rows)) == sorted(documented)
    assert len(rows) == len(set(rows)), "an operation has two rows"


def test_the_readme_refers_only_to_files_of_the_repository() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\]\(([^)#:]+)\)", readme)) | set(re.findall(r"`([\w/.-]+\.md)`", readme))

    assert "docs/API.md" in named
    assert [name for name in sorted(named) if not (PROJECT_ROOT / name).exists()] == []
