"""The monitor's forms: the filters and page of the list, a data change, a migration."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, NumberRange

from webapp.ui.forms import ConfirmedReasonForm, ReasonForm

FILTER_NAMES = ("process", "version", "status", "run", "cca", "incident", "min_age_days")


@dataclass(frozen=True)
class ListArgs:
    """The query string of the monitor (filters and page), as given, to draw the form and the links."""

    values: dict[str, str]

    @classmethod
    def of(cls, args: Mapping[str, str]) -> ListArgs:
        names = (*FILTER_NAMES, "page", "per_page")
        return cls({name: str(args.get(name, "")).strip()[:255] for name in names if args.get(name)})

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def link(self, **changes: Any) -> str:
        """The query string with some arguments changed (None removes one)."""
        merged = {**self.values, **{key: str(value) for key, value in changes.items() if value is not None}}
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
        return urlencode(merged)


class DataForm(ReasonForm):
    """The process data edited as JSON: the keys whose value changed (or were added) are sent."""

    process_data = TextAreaField(
        _l("Process data (JSON)"),
        description=_l("Change values, or add keys; keys cannot be removed (set one to null instead)."),
        validators=[DataRequired(message=_l("Give the process data."))],
    )

    def changes(self, current: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The changed and added keys, or the reason the text cannot be used."""
        try:
            edited = json.loads(self.process_data.data or "")
        except ValueError as error:
            return {}, _("This is not valid JSON: %(reason)s", reason=str(error))
        if not isinstance(edited, dict):
            return {}, _("The process data must stay one JSON object.")
        removed = sorted(set(current) - set(edited))
        if removed:
            return {}, _("Keys cannot be removed (set them to null instead): %(keys)s", keys=", ".join(removed))
        changed = {key: value for key, value in edited.items() if key not in current or current[key] != value}
        if not changed:
            return {}, _("Nothing was changed in the process data.")
        return changed, None


class MigrateForm(ConfirmedReasonForm):
    """Which process of the instance to move, to which version."""

    # `process` is the name the page posts; the attribute may not shadow Form.process().
    target_process = HiddenField(name="process")
    version = IntegerField(_l("Version"), validators=[NumberRange(min=1, message=_l("A version number (1, 2, ...)."))])
