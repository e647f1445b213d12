"""The portal's one form: applying for a course run."""

from __future__ import annotations

from collections.abc import Mapping

from webapp.ui.fields import Field
from webapp.ui.schema_forms import CHECKED

DECLARATION = Field(
    "declaration",
    "I confirm the declaration",
    kind="checkbox",
    required=True,
    help=(
        "The details of my profile are true; I have told my cadre controlling authority of this "
        "application; I will pay the discounted course fee myself and claim reimbursement only "
        "with the course certificate."
    ),
)


def declaration_given(form: Mapping[str, str]) -> bool:
    """True when the declaration box was ticked."""
    return form.get("declaration", "").strip().lower() in CHECKED
