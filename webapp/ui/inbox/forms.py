"""Reading the inbox's filter and page arguments, a task form's post, and the claim form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import FileStorage
from wtforms import HiddenField

from engine.services.queries import TaskFilter
from webapp.ui.forms import Form


@dataclass(frozen=True)
class InboxQuery:
    """The filters asked for; bad values are ignored, not errors (the page is webapp.ui.paging's)."""

    filters: TaskFilter

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query arguments of this view (for links), with some changed."""
        current = {
            "course": self.filters.course,
            "run": self.filters.course_run_id,
            "cca": self.filters.cca,
            "task": self.filters.name,
            "q": self.filters.officer_name,
        }
        current.update(changes)
        return {key: value for key, value in current.items() if value not in (None, "")}


def inbox_query(args: Mapping[str, str]) -> InboxQuery:
    """The filters of the inbox URL: course, run, cca, task, q (officer name)."""
    return InboxQuery(
        filters=TaskFilter(
            course=_text(args.get("course")),
            course_run_id=_whole(args.get("run")),
            cca=_text(args.get("cca")),
            name=_text(args.get("task")),
            officer_name=_text(args.get("q")),
        )
    )


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:100] or None


def _whole(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def chosen_files(files: Mapping[str, FileStorage], names: list[str]) -> dict[str, FileStorage]:
    """The upload fields for which a file was chosen (an empty file input posts no name)."""
    return {name: files[name] for name in names if name in files and files[name].filename}


def kept_uploads(form: Mapping[str, str], names: list[str]) -> dict[str, str]:
    """Files stored by an earlier, failed submission of the same form (hidden fields)."""
    return {name: form[f"{name}__uploaded"] for name in names if form.get(f"{name}__uploaded")}


class ClaimForm(Form):
    """Taking a task, or returning it to the shared inbox; `next` is the page to go back to."""

    next = HiddenField()
