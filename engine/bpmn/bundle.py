"""What an instance runs on: a top process spec with the specs of the processes it calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SpecBundle:
    """A top process spec with the called process specs bound to it, from fixed versions.

    `forms` gives, per process key of the bundle, the form file name -> sha256 of the
    schema that version binds (empty for versions deployed before forms were versioned).
    """

    key: str
    definition_ids: tuple[int, ...]
    spec: Any
    subprocess_specs: dict[str, Any]
    top_definition_id: int
    forms: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
